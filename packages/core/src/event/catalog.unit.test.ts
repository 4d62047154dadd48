/**
 * The catalog turns untrusted raw envelopes into validated, upcast, frozen events: unknown
 * types and bad payloads become typed errors, never crashes; old versions are lifted
 * through every upcaster in turn and the result is validated against the current schema.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, UnknownEventTypeError, ValidationError } from '../errors/errors.ts';
import { TidingsError } from '../errors/tidings-error.ts';
import { createCatalog, type RawEvent } from './catalog.ts';
import { defineEvent } from './define-event.ts';

// v1: { total: number }   v2: { amount: number }   v3: { amount: { value, currency } }
const PaymentTaken = defineEvent('PaymentTaken', {
  version: 3,
  schema: z.object({ amount: z.object({ value: z.number(), currency: z.string().length(3) }) }),
  upcasters: {
    1: (p) => ({ amount: (p as { total: number }).total }),
    2: (p) => ({ amount: { value: (p as { amount: number }).amount, currency: 'EUR' } }),
  },
});
const UserRegistered = defineEvent('UserRegistered', { schema: z.object({ userId: z.string() }) });

const catalog = createCatalog([PaymentTaken, UserRegistered]);

function raw(overrides: Partial<RawEvent> = {}): RawEvent {
  return {
    id: '0192a0b0-0000-7000-8000-000000000001',
    type: 'UserRegistered',
    version: 1,
    occurredAt: '2026-11-26T07:00:00.000Z',
    correlationId: '0192a0b0-0000-7000-8000-000000000001',
    metadata: { tenant: 't-1' },
    payload: { userId: 'u-1' },
    ...overrides,
  };
}

describe('versioning', () => {
  it('upcasts a v1 payload through every step to the current shape', () => {
    const event = catalog.decode(raw({ type: 'PaymentTaken', version: 1, payload: { total: 12 } }));
    expect(event.version).toBe(3);
    expect(event.payload).toEqual({ amount: { value: 12, currency: 'EUR' } });
    expect(PaymentTaken.upcast({ total: 5 }, 1)).toEqual({ amount: { value: 5, currency: 'EUR' } });
  });

  it('upcasts from v2 and leaves a current payload alone', () => {
    expect(catalog.decode(raw({ type: 'PaymentTaken', version: 2, payload: { amount: 7 } })).payload).toEqual(
      {
        amount: { value: 7, currency: 'EUR' },
      },
    );
    const current = { amount: { value: 1, currency: 'USD' } };
    expect(catalog.decode(raw({ type: 'PaymentTaken', version: 3, payload: current })).payload).toEqual(
      current,
    );
  });

  it('validates the upcast result against the current schema', () => {
    const decode = () => catalog.decode(raw({ type: 'PaymentTaken', version: 1, payload: { total: 'x' } }));
    expect(decode).toThrow(ValidationError);
    expect(decode).toThrow(/amount\.value/);
  });

  it('creates events at the current version', () => {
    expect(PaymentTaken.create({ amount: { value: 1, currency: 'EUR' } }).version).toBe(3);
  });

  it('needs an upcaster for every older version at definition time', () => {
    const define = () =>
      defineEvent('Gappy', { version: 3, schema: z.object({}), upcasters: { 1: (p) => p } });
    expect(define).toThrow(ConfigurationError);
    expect(define).toThrow(/upcasters\[2\]/);
    expect(() => defineEvent('NoUpcasters', { version: 2, schema: z.object({}) })).toThrow(
      ConfigurationError,
    );
  });

  it('rejects a version newer than known as a ValidationError', () => {
    const decode = () => catalog.decode(raw({ type: 'PaymentTaken', version: 4, payload: {} }));
    expect(decode).toThrow(ValidationError);
    expect(decode).toThrow(/version 4, newer than this service knows \(3\)/);
  });

  it('rejects version 0 and fractional versions as a ValidationError', () => {
    for (const version of [0, 1.5, -2]) {
      expect(() => catalog.decode(raw({ type: 'PaymentTaken', version, payload: {} }))).toThrow(
        ValidationError,
      );
    }
  });

  it('turns an upcaster that throws on a malformed old payload into a ValidationError', () => {
    const decode = () => catalog.decode(raw({ type: 'PaymentTaken', version: 2, payload: null }));
    let caught: unknown;
    try {
      decode();
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.is(caught)).toBe(true);
    expect((caught as ValidationError).message).toMatch(/upcaster from version 2 to 3/);
    expect((caught as ValidationError).cause).toBeInstanceOf(TypeError);
  });
});

describe('catalog', () => {
  it('decodes a valid raw event into a deeply frozen event', () => {
    const input = raw({ subject: { type: 'User', id: 'u-1', sequence: 1 }, causationId: 'c-1' });
    const event = catalog.decode(input);
    expect(event).toEqual(input);
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.payload)).toBe(true);
    expect(Object.isFrozen(event.metadata)).toBe(true);
    expect(Object.isFrozen(event.subject)).toBe(true);
    expect(Object.isFrozen(input.payload)).toBe(false);
    // The caller's objects stay its own: the event holds frozen copies.
    expect(Object.isFrozen(input.subject)).toBe(false);
    expect(Object.isFrozen(input.metadata)).toBe(false);
    expect(UserRegistered.is(event)).toBe(true);
  });

  it('gives a decoded event the key order and shapes of a created one', () => {
    const subject = { type: 'User', id: 'u-1', sequence: 1 };
    const created = UserRegistered.create({ userId: 'u-1' }, { subject, causationId: 'c-1' });
    // A raw envelope in another key order, as a codec or a row mapper may build it.
    const { version, ...rest } = created;
    const decoded = catalog.decode({ ...rest, metadata: {}, version } as RawEvent);
    expect(Object.keys(decoded)).toEqual(Object.keys(created));
    expect(Object.keys(decoded.subject ?? {})).toEqual(['type', 'id', 'sequence']);
    // Without the optional fields: the key order create pins (define-event.unit.test.ts).
    const bare = catalog.decode(raw({ metadata: {} }));
    const plain = UserRegistered.create({ userId: 'u-1' });
    expect(Object.keys(bare)).toEqual(Object.keys(plain));
    expect(bare.metadata).toBe(plain.metadata);
  });

  it('throws UnknownEventTypeError for a type it does not know, listing known types', () => {
    const decode = () => catalog.decode(raw({ type: 'OrderShipped' }));
    expect(decode).toThrow(UnknownEventTypeError);
    expect(decode).toThrow(/"OrderShipped".*known types: PaymentTaken, UserRegistered/);
  });

  it('throws ValidationError for an invalid payload', () => {
    const decode = () => catalog.decode(raw({ payload: { userId: 42 } }));
    expect(decode).toThrow(ValidationError);
    expect(decode).toThrow(/userId/);
  });

  it('never crashes on hostile input: every failure is a TidingsError', () => {
    const hostile: unknown[] = [
      raw({ payload: undefined }),
      raw({ payload: null }),
      raw({ payload: 'text' }),
      raw({ payload: [1, 2] }),
      raw({ payload: JSON.parse('{"__proto__":{"polluted":true},"userId":"u"}') }),
      raw({ type: 'PaymentTaken', version: 1, payload: undefined }),
      raw({ type: 'PaymentTaken', version: 1, payload: 'x' }),
      raw({ type: 'PaymentTaken', version: 2, payload: null }),
      raw({ type: 'x'.repeat(10_000) }),
      raw({ type: 42 as never }),
      raw({ version: Number.NaN }),
    ];
    for (const input of hostile) {
      try {
        catalog.decode(input as RawEvent);
      } catch (error) {
        expect(TidingsError.is(error), String(error)).toBe(true);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps an unknown type’s message short however long the type is', () => {
    expect(() => catalog.decode(raw({ type: 'x'.repeat(10_000) }))).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^.{0,300}$/s) }),
    );
  });

  it('rejects two different definitions of one type', () => {
    const again = defineEvent('UserRegistered', { schema: z.object({ userId: z.string() }) });
    expect(() => createCatalog([UserRegistered, again])).toThrow(ConfigurationError);
    expect(() => createCatalog([UserRegistered, again])).toThrow(
      /two definitions of event type "UserRegistered"/,
    );
  });

  it('accepts the same definition twice and lists definitions once', () => {
    const twice = createCatalog([UserRegistered, UserRegistered]);
    expect(twice.definitions).toEqual([UserRegistered]);
    expect(twice.has('UserRegistered')).toBe(true);
    expect(twice.get('UserRegistered')).toBe(UserRegistered);
    expect(twice.get('Nope')).toBeUndefined();
  });
});
