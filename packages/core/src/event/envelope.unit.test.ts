/**
 * The envelope every created event carries: UUIDv7 ids that sort by time, ISO-8601 UTC
 * timestamps, subject, correlation and causation, copied metadata, and no key whose value
 * is `undefined` (such keys would not survive JSON and would make equality lie).
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../errors/errors.ts';
import { defineEvent } from './define-event.ts';
import { type AnyDomainEvent, orderingKey } from './envelope.ts';
import { createEventId } from './id.ts';

const Ping = defineEvent('Ping', { schema: z.object({ n: z.number() }) });

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function undefinedKeys(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) =>
    v === undefined ? [`${path}${key}`] : undefinedKeys(v, `${path}${key}.`),
  );
}

describe('event id', () => {
  it('is a UUIDv7 (version nibble 7, RFC variant)', () => {
    const { id } = Ping.create({ n: 1 });
    expect(id).toMatch(uuidV7);
    expect(id[14]).toBe('7');
  });

  it('sorts in creation order, also within one millisecond', () => {
    const ids = Array.from({ length: 500 }, () => createEventId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('encodes the creation time in its first 48 bits', () => {
    const before = Date.now();
    const { id } = Ping.create({ n: 1 });
    const after = Date.now();
    const millis = Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(millis).toBeGreaterThanOrEqual(before);
    expect(millis).toBeLessThanOrEqual(after);
  });

  it('can be given explicitly', () => {
    expect(Ping.create({ n: 1 }, { id: 'fixed-id' }).id).toBe('fixed-id');
  });
});

describe('occurredAt', () => {
  it('is an ISO-8601 UTC string', () => {
    const event = Ping.create({ n: 1 });
    expect(event.occurredAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(new Date(event.occurredAt).toISOString()).toBe(event.occurredAt);
  });

  it('normalises a given Date or string to UTC', () => {
    expect(Ping.create({ n: 1 }, { occurredAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)) }).occurredAt).toBe(
      '2026-01-02T03:04:05.000Z',
    );
    expect(Ping.create({ n: 1 }, { occurredAt: '2026-01-02T05:04:05+02:00' }).occurredAt).toBe(
      '2026-01-02T03:04:05.000Z',
    );
  });

  it('rejects an invalid date', () => {
    expect(() => Ping.create({ n: 1 }, { occurredAt: 'yesterday-ish' })).toThrow(ConfigurationError);
  });
});

describe('subject, correlation and causation', () => {
  it('has no subject and no causation unless given, and no undefined-valued keys', () => {
    const event = Ping.create({ n: 1 });
    expect(Object.keys(event).sort()).toEqual(
      ['correlationId', 'id', 'metadata', 'occurredAt', 'payload', 'type', 'version'].sort(),
    );
    expect(undefinedKeys(event)).toEqual([]);
  });

  it('copies the subject', () => {
    const subject = { type: 'Order', id: 'o-1', sequence: 3 };
    const event = Ping.create({ n: 1 }, { subject });
    expect(event.subject).toEqual(subject);
    expect(event.subject).not.toBe(subject);
    expect(orderingKey(event)).toBe('Order:o-1');
    expect(orderingKey(Ping.create({ n: 1 }))).toMatch(uuidV7);
  });

  it('defaults correlationId to the event’s own id', () => {
    const event = Ping.create({ n: 1 });
    expect(event.correlationId).toBe(event.id);
    expect(event).not.toHaveProperty('causationId');
  });

  it('takes correlation from causedBy and sets causation to its id', () => {
    const root = Ping.create({ n: 1 });
    const child = Ping.create({ n: 2 }, { causedBy: root });
    const grandchild = Ping.create({ n: 3 }, { causedBy: child });
    expect(child.correlationId).toBe(root.id);
    expect(child.causationId).toBe(root.id);
    expect(grandchild.correlationId).toBe(root.id);
    expect(grandchild.causationId).toBe(child.id);
  });

  it('lets explicit correlationId and causationId win over causedBy', () => {
    const root = Ping.create({ n: 1 });
    const event = Ping.create({ n: 2 }, { causedBy: root, correlationId: 'c-9', causationId: 'x-9' });
    expect(event.correlationId).toBe('c-9');
    expect(event.causationId).toBe('x-9');
  });

  it('copies metadata and never leaves undefined values', () => {
    const metadata = { tenant: 't-1', traceparent: '00-abc-def-01' };
    const cause: AnyDomainEvent = Ping.create({ n: 1 });
    const event = Ping.create({ n: 2 }, { metadata, causedBy: cause, subject: { type: 'A', id: 'a' } });
    expect(event.metadata).toEqual(metadata);
    expect(event.metadata).not.toBe(metadata);
    expect(undefinedKeys(event)).toEqual([]);
    expect(JSON.parse(JSON.stringify(event))).toEqual(event);
  });
});
