/**
 * defineEvent with both Standard Schema libraries we promise to support (zod 4, valibot 1):
 * validation errors that name every failing path, deep freezing without touching the
 * caller's input, narrowing with `is()` and the payload types inferred from the schema.
 */
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, ValidationError } from '../errors/errors.ts';
import { defineEvent, type EventOf, type PayloadOf } from './define-event.ts';
import type { AnyDomainEvent, DomainEvent } from './envelope.ts';

const zodPlaced = defineEvent('OrderPlaced', {
  schema: z.object({
    orderId: z.string(),
    customer: z.object({ email: z.email(), tags: z.array(z.string()) }),
    lines: z.array(z.object({ sku: z.string(), qty: z.number().int().positive() })),
  }),
});

const valibotPlaced = defineEvent('OrderPlaced', {
  schema: v.object({
    orderId: v.string(),
    customer: v.object({ email: v.pipe(v.string(), v.email()), tags: v.array(v.string()) }),
    lines: v.array(v.object({ sku: v.string(), qty: v.pipe(v.number(), v.integer(), v.minValue(1)) })),
  }),
});

const validPayload = () => ({
  orderId: 'o-1',
  customer: { email: 'ada@example.com', tags: ['vip'] },
  lines: [
    { sku: 'tea', qty: 2 },
    { sku: 'cup', qty: 1 },
  ],
});

function catchValidation(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (error) {
    if (ValidationError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

describe.each([
  ['zod', zodPlaced],
  ['valibot', valibotPlaced],
] as const)('defineEvent with %s', (_library, OrderPlaced) => {
  it('creates an event with the validated payload', () => {
    const event = OrderPlaced.create(validPayload());
    expect(event.type).toBe('OrderPlaced');
    expect(event.version).toBe(1);
    expect(event.payload).toEqual(validPayload());
  });

  it('freezes the event deeply, nested objects and arrays included', () => {
    const event = OrderPlaced.create(validPayload(), {
      subject: { type: 'Order', id: 'o-1', sequence: 1 },
      metadata: { tenant: 't-1' },
    });
    expect(Object.isFrozen(event)).toBe(true);
    expect(Object.isFrozen(event.payload)).toBe(true);
    expect(Object.isFrozen(event.payload.customer)).toBe(true);
    expect(Object.isFrozen(event.payload.customer.tags)).toBe(true);
    expect(Object.isFrozen(event.payload.lines)).toBe(true);
    expect(Object.isFrozen(event.payload.lines[1])).toBe(true);
    expect(Object.isFrozen(event.subject)).toBe(true);
    expect(Object.isFrozen(event.metadata)).toBe(true);
    expect(() => {
      (event.payload.lines as unknown as { qty: number }[])[0]!.qty = 99;
    }).toThrow(TypeError);
  });

  it('neither freezes nor shares the caller’s input', () => {
    const input = validPayload();
    const subject = { type: 'Order', id: 'o-1' };
    const metadata = { tenant: 't-1' };
    const event = OrderPlaced.create(input, { subject, metadata });
    expect(Object.isFrozen(input)).toBe(false);
    expect(Object.isFrozen(input.customer.tags)).toBe(false);
    expect(Object.isFrozen(input.lines[0])).toBe(false);
    expect(Object.isFrozen(subject)).toBe(false);
    expect(Object.isFrozen(metadata)).toBe(false);
    input.lines[0]!.qty = 50;
    input.customer.tags.push('late');
    metadata.tenant = 'changed';
    expect(event.payload.lines[0]!.qty).toBe(2);
    expect(event.payload.customer.tags).toEqual(['vip']);
    expect(event.metadata.tenant).toBe('t-1');
    expect(event.payload).not.toBe(input);
  });

  it('keeps the envelope’s key order and a subject’s three fields, with and without the optional ones', () => {
    const cause = OrderPlaced.create(validPayload());
    const plain = OrderPlaced.create(validPayload());
    const full = OrderPlaced.create(validPayload(), {
      subject: { type: 'Order', id: 'o-1', sequence: 3, extra: 'dropped' } as never,
      causedBy: cause,
    });
    const unsequenced = OrderPlaced.create(validPayload(), {
      // A JavaScript caller may pass the key with no value.
      subject: { type: 'Order', id: 'o-2', sequence: undefined } as never,
    });
    expect(Object.keys(plain)).toEqual([
      'id',
      'type',
      'version',
      'occurredAt',
      'correlationId',
      'metadata',
      'payload',
    ]);
    expect(Object.keys(full)).toEqual([
      'id',
      'type',
      'version',
      'occurredAt',
      'subject',
      'correlationId',
      'causationId',
      'metadata',
      'payload',
    ]);
    expect(full.subject).toEqual({ type: 'Order', id: 'o-1', sequence: 3 });
    expect(Object.keys(unsequenced.subject ?? {})).toEqual(['type', 'id']);
    expect(full.causationId).toBe(cause.id);
    expect(full.correlationId).toBe(cause.correlationId);
  });

  it('rejects an invalid payload naming the type, each path, the reason and the value', () => {
    const bad = {
      orderId: 7,
      customer: { email: 'not-an-email', tags: ['ok', 3] },
      lines: [
        { sku: 'tea', qty: 2 },
        { sku: 'cup', qty: 0 },
      ],
    };
    const error = catchValidation(() => OrderPlaced.create(bad as never));
    expect(error.code).toBe('TIDINGS_VALIDATION');
    expect(error.eventType).toBe('OrderPlaced');
    expect(error.message).toContain('"OrderPlaced"');
    const byPath = new Map(error.issues.map((issue) => [issue.path, issue]));
    expect([...byPath.keys()].sort()).toEqual(
      ['orderId', 'customer.email', 'customer.tags[1]', 'lines[1].qty'].sort(),
    );
    expect(byPath.get('orderId')?.value).toBe(7);
    expect(byPath.get('customer.email')?.value).toBe('not-an-email');
    expect(byPath.get('customer.tags[1]')?.value).toBe(3);
    expect(byPath.get('lines[1].qty')?.value).toBe(0);
    for (const issue of error.issues) {
      expect(issue.message.length).toBeGreaterThan(0);
      expect(error.message).toContain(`${issue.path}: ${issue.message}`);
    }
    expect(error.message).toContain('(got 7)');
    expect(error.message).toContain('(got "not-an-email")');
    expect(error.message).toContain('(got 0)');
  });

  it('reports a missing field with its path', () => {
    const { orderId: _dropped, ...rest } = validPayload();
    const error = catchValidation(() => OrderPlaced.create(rest as never));
    expect(error.issues.map((i) => i.path)).toEqual(['orderId']);
    expect(error.message).toContain('orderId:');
    expect(error.issues[0]?.value).toBeUndefined();
  });

  it('reports a payload that is not an object at the root', () => {
    const error = catchValidation(() => OrderPlaced.create('nope' as never));
    expect(error.issues[0]?.path).toBe('(root)');
    expect(error.message).toContain('(got "nope")');
  });

  it('narrows events with is()', () => {
    const Other = defineEvent('UserRegistered', { schema: z.object({ userId: z.string() }) });
    const events: AnyDomainEvent[] = [OrderPlaced.create(validPayload()), Other.create({ userId: 'u-1' })];
    expect(events.map((e) => OrderPlaced.is(e))).toEqual([true, false]);
    const first = events[0]!;
    if (OrderPlaced.is(first)) {
      expectTypeOf(first.type).toEqualTypeOf<'OrderPlaced'>();
      expectTypeOf(first.payload.customer.tags).toEqualTypeOf<readonly string[]>();
      expect(first.payload.orderId).toBe('o-1');
    }
  });
});

describe('defineEvent types', () => {
  it('infers the payload from the schema, readonly all the way down', () => {
    const event = zodPlaced.create(validPayload());
    expectTypeOf(event).toEqualTypeOf<
      DomainEvent<
        'OrderPlaced',
        {
          orderId: string;
          customer: { email: string; tags: string[] };
          lines: { sku: string; qty: number }[];
        }
      >
    >();
    expectTypeOf(event.payload.lines).toEqualTypeOf<
      readonly { readonly sku: string; readonly qty: number }[]
    >();
    expectTypeOf<PayloadOf<typeof valibotPlaced>>().toEqualTypeOf<PayloadOf<typeof zodPlaced>>();
    expectTypeOf<EventOf<typeof valibotPlaced>>().toEqualTypeOf<EventOf<typeof zodPlaced>>();
  });

  it('types create() from the schema input', () => {
    const WithDefault = defineEvent('Defaulted', {
      schema: z.object({ amount: z.number(), currency: z.string().default('EUR') }),
    });
    // The input may omit a defaulted field; the output always has it.
    const event = WithDefault.create({ amount: 3 });
    expect(event.payload.currency).toBe('EUR');
    expectTypeOf(event.payload.currency).toEqualTypeOf<string>();
    // @ts-expect-error amount must be a number
    expect(() => WithDefault.create({ amount: 'three' })).toThrow(ValidationError);
  });
});

describe('defineEvent configuration', () => {
  it('rejects an invalid type name', () => {
    for (const type of ['', '1Order', 'Order Placed', 'x'.repeat(201)]) {
      expect(() => defineEvent(type, { schema: z.object({}) })).toThrow(ConfigurationError);
    }
  });

  it('rejects a version that is not a positive integer', () => {
    for (const version of [0, -1, 1.5, Number.NaN]) {
      expect(() => defineEvent('Bad', { schema: z.object({}), version })).toThrow(ConfigurationError);
    }
  });

  it('rejects a schema that only validates asynchronously', () => {
    const Async = defineEvent('Async', {
      schema: z.object({ id: z.string() }).refine(async () => true),
    });
    expect(() => Async.create({ id: 'a' })).toThrow(ConfigurationError);
  });

  it('returns a frozen definition', () => {
    expect(Object.isFrozen(zodPlaced)).toBe(true);
  });
});
