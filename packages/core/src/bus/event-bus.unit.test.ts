/**
 * The in-process bus: routing to one definition, several or all events; unsubscribing;
 * unique handler names; and failure isolation: every matching handler runs, then one
 * HandlersFailedError names each failure with its original cause.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, HandlersFailedError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent, DomainEvent } from '../event/envelope.ts';
import { createEventBus } from './event-bus.ts';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});
const UserRegistered = defineEvent('UserRegistered', { schema: z.object({ userId: z.string() }) });
const OrderShipped = defineEvent('OrderShipped', { schema: z.object({ orderId: z.string() }) });

const placed = () => OrderPlaced.create({ orderId: 'o-1', total: 42 });
const registered = () => UserRegistered.create({ userId: 'u-1' });
const shipped = () => OrderShipped.create({ orderId: 'o-1' });

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('subscribe', () => {
  it('routes one definition, several definitions and every event', async () => {
    const bus = createEventBus();
    const seen: string[] = [];
    bus.subscribe('one', OrderPlaced, (event) => {
      expectTypeOf(event).toEqualTypeOf<DomainEvent<'OrderPlaced', { orderId: string; total: number }>>();
      seen.push(`one:${event.type}`);
    });
    bus.subscribe('several', [OrderPlaced, UserRegistered], (event) => {
      expectTypeOf(event).toEqualTypeOf<
        | DomainEvent<'OrderPlaced', { orderId: string; total: number }>
        | DomainEvent<'UserRegistered', { userId: string }>
      >();
      if (event.type === 'UserRegistered') expectTypeOf(event.payload.userId).toEqualTypeOf<string>();
      seen.push(`several:${event.type}`);
    });
    bus.subscribe('all', '*', (event) => {
      expectTypeOf(event).toEqualTypeOf<AnyDomainEvent>();
      seen.push(`all:${event.type}`);
    });
    await bus.publish([placed(), registered(), shipped()]);
    expect(seen).toEqual([
      'one:OrderPlaced',
      'several:OrderPlaced',
      'all:OrderPlaced',
      'several:UserRegistered',
      'all:UserRegistered',
      'all:OrderShipped',
    ]);
    expect(bus.handlers()).toEqual(['one', 'several', 'all']);
  });

  it('rejects a duplicate name at subscription time', () => {
    const bus = createEventBus();
    bus.subscribe('send-email', OrderPlaced, () => {});
    expect(() => bus.subscribe('send-email', UserRegistered, () => {})).toThrow(ConfigurationError);
    expect(() => bus.subscribe('send-email', UserRegistered, () => {})).toThrow(
      /"send-email" is already subscribed/,
    );
    expect(bus.handlers()).toEqual(['send-email']);
  });

  it('rejects an invalid handler name', () => {
    const bus = createEventBus();
    for (const name of ['', ' spaced', 'a b', 'x'.repeat(201)]) {
      expect(() => bus.subscribe(name, OrderPlaced, () => {})).toThrow(ConfigurationError);
    }
  });

  it('unsubscribes with the returned function and by name', async () => {
    const bus = createEventBus();
    const seen: string[] = [];
    const off = bus.subscribe('a', '*', () => void seen.push('a'));
    bus.subscribe('b', OrderPlaced, () => void seen.push('b'));
    await bus.publish(placed());
    off();
    await bus.publish(placed());
    expect(bus.unsubscribe('b')).toBe(true);
    expect(bus.unsubscribe('b')).toBe(false);
    await bus.publish(placed());
    expect(seen).toEqual(['a', 'b', 'b']);
    expect(bus.handlers()).toEqual([]);
    // The name is free again once unsubscribed.
    bus.subscribe('a', OrderPlaced, () => void seen.push('a again'));
    await bus.publish(placed());
    expect(seen.at(-1)).toBe('a again');
  });

  it('does nothing for an event nobody handles', async () => {
    const bus = createEventBus();
    await expect(bus.publish(shipped())).resolves.toBeUndefined();
    expect(() => bus.publishSync(shipped())).not.toThrow();
  });
});

describe.each(['sequential', 'concurrent'] as const)('failures in %s mode', (mode) => {
  it('runs every handler even when some throw, then rejects with one error naming each', async () => {
    const bus = createEventBus({ mode });
    const ran: string[] = [];
    const smtp = new Error('smtp down');
    const dashboard = new TypeError('cannot read total');
    bus.subscribe('send-email', OrderPlaced, async () => {
      ran.push('send-email');
      throw smtp;
    });
    bus.subscribe('audit', '*', () => void ran.push('audit'));
    bus.subscribe('update-dashboard', OrderPlaced, () => {
      ran.push('update-dashboard');
      throw dashboard;
    });
    const event = placed();
    const error = await rejectionOf(bus.publish(event));
    expect(ran).toEqual(['send-email', 'audit', 'update-dashboard']);
    expect(HandlersFailedError.is(error)).toBe(true);
    const failed = error as HandlersFailedError;
    expect(failed.failures.map((f) => f.handler)).toEqual(['send-email', 'update-dashboard']);
    expect(failed.failures[0]?.error).toBe(smtp);
    expect(failed.failures[1]?.error).toBe(dashboard);
    expect(failed.failures.every((f) => f.eventId === event.id && f.eventType === 'OrderPlaced')).toBe(true);
    expect(failed.message).toMatch(/"send-email".*smtp down.*"update-dashboard".*cannot read total/);
  });

  it('keeps going through the remaining events of a batch', async () => {
    const bus = createEventBus({ mode });
    const ran: string[] = [];
    bus.subscribe('flaky', '*', (event) => {
      ran.push(event.type);
      if (event.type === 'OrderPlaced') throw new Error('no');
    });
    const error = await rejectionOf(bus.publish([placed(), registered(), placed()]));
    expect(ran).toEqual(['OrderPlaced', 'UserRegistered', 'OrderPlaced']);
    expect((error as HandlersFailedError).failures).toHaveLength(2);
  });
});

describe('publishSync failures', () => {
  it('runs every sync handler, then throws one HandlersFailedError', () => {
    const bus = createEventBus();
    const ran: string[] = [];
    const boom = new Error('boom');
    bus.subscribe('first', OrderPlaced, () => {
      ran.push('first');
      throw boom;
    });
    bus.subscribe('second', OrderPlaced, () => void ran.push('second'));
    let caught: unknown;
    try {
      bus.publishSync(placed());
    } catch (error) {
      caught = error;
    }
    expect(ran).toEqual(['first', 'second']);
    expect((caught as HandlersFailedError).failures.map((f) => [f.handler, f.error])).toEqual([
      ['first', boom],
    ]);
  });
});
