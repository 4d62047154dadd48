/** Option validation: bad identifiers fail at once with ConfigurationError naming the value. */
import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';

const connectionString = 'postgres://nobody@127.0.0.1:1/none';

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(ConfigurationError.is(error)).toBe(true);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('resolveOptions', () => {
  it.each(['bad-name', 'x"; DROP TABLE users; --', '1abc', '', 'a'.repeat(64), 'ünicode'])(
    'rejects schema %j, naming it',
    (schema) => {
      const error = configurationError(() => createPostgresOutboxStore({ connectionString, schema }));
      expect(error.message).toContain(JSON.stringify(schema).slice(0, 40));
      expect(error.message).toContain('schema');
    },
  );

  it.each(['a-b', 'has space', '9lives', 'p'.repeat(33)])('rejects tablePrefix %j', (tablePrefix) => {
    const error = configurationError(() => resolveOptions({ connectionString, tablePrefix }));
    expect(error.message).toContain('tablePrefix');
  });

  it('rejects a non-string schema', () => {
    const error = configurationError(() =>
      resolveOptions({ connectionString, schema: 42 as unknown as string }),
    );
    expect(error.message).toContain('42');
  });

  it('needs exactly one of pool and connectionString', () => {
    expect(configurationError(() => resolveOptions({})).message).toContain('neither');
    const pool = {} as never;
    expect(configurationError(() => resolveOptions({ pool, connectionString })).message).toContain('both');
  });

  it('quotes names, accepts an empty prefix, and keeps the channel within 63 bytes', () => {
    const { names } = resolveOptions({ connectionString, schema: 'Billing', tablePrefix: '' });
    expect(names.events).toBe('"Billing"."events"');
    expect(names.channel).toBe('Billing.outbox');
    const long = resolveOptions({ connectionString, schema: 's'.repeat(63), tablePrefix: 'p'.repeat(32) });
    expect(long.names.channel).toMatch(/^tidings_[0-9a-f]{40}$/);
    expect(resolveOptions({ connectionString }).names.channel).toBe('public.tidings_outbox');
  });
});
