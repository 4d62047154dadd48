/** The append statements: chunked to stay inside max_allowed_packet, in order, lengths checked first. */
import { StoreError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { noted } from '../test/fresh-tables.ts';
import { appendStatements } from './append.ts';
import { resolveOptions } from './options.ts';

const { names } = resolveOptions({ uri: 'mysql://nobody@127.0.0.1:1/none', tablePrefix: 'p_' });
const rowsOf = (statement: { values: readonly unknown[] }) => statement.values[0] as unknown[][];

describe('appendStatements', () => {
  it('splits events and deliveries into INSERTs of at most 500 rows, keeping their order', () => {
    const events = Array.from({ length: 1_201 }, (_, i) => noted(`n-${i}`));
    const statements = appendStatements(
      names,
      events.map((event) => ({ event, consumers: ['a'] })),
      0,
    );
    const eventInserts = statements.filter((s) => s.sql.includes('`p_events`'));
    const deliveryInserts = statements.filter((s) => s.sql.includes('`p_deliveries`'));
    expect(eventInserts.map((s) => rowsOf(s).length)).toEqual([500, 500, 201]);
    expect(deliveryInserts.map((s) => rowsOf(s).length)).toEqual([500, 500, 201]);
    expect(eventInserts.flatMap((s) => rowsOf(s).map((row) => row[0]))).toEqual(events.map((e) => e.id));
    expect(statements.indexOf(deliveryInserts[0]!)).toBeGreaterThan(statements.indexOf(eventInserts[2]!));
  });

  it('starts a new INSERT once the payloads of one pass a few megabytes', () => {
    const big = 'x'.repeat(1_500_000);
    const events = Array.from({ length: 5 }, () => noted('n', { big }));
    const statements = appendStatements(
      names,
      events.map((event) => ({ event, consumers: [] })),
      0,
    );
    expect(statements.map((s) => rowsOf(s).length)).toEqual([3, 2]);
  });

  it('refuses an over-long value before building any statement, naming the field', () => {
    const event = { ...noted('n'), type: 't'.repeat(256) };
    expect(() => appendStatements(names, [{ event, consumers: ['a'] }], 0)).toThrow(StoreError);
    expect(() => appendStatements(names, [{ event, consumers: ['a'] }], 0)).toThrow('type is 256 characters');
    const consumer = 'c'.repeat(300);
    expect(() => appendStatements(names, [{ event: noted('n'), consumers: [consumer] }], 0)).toThrow(
      'a consumer name is 300 characters',
    );
  });
});
