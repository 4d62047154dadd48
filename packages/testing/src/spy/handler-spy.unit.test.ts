/**
 * The handler spy against the real in-process bus: recording per handler name, wrapping
 * real handlers, waiting for past and future events, and a timeout message that says what
 * was seen. Timeouts are tiny or on vitest's fake clock; nothing sleeps.
 */
import { createEventBus, defineEvent, TimeoutError } from '@tidings/core';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { z } from 'zod';
import { createHandlerSpy } from './handler-spy.ts';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number() }),
});
const UserRegistered = defineEvent('UserRegistered', { schema: z.object({ userId: z.string() }) });

const placed = (orderId = 'o-1') => OrderPlaced.create({ orderId, total: 42 });
const registered = () => UserRegistered.create({ userId: 'u-1' });

afterEach(() => {
  vi.useRealTimers();
});

describe('recording', () => {
  it('records under the name the bus gives the handler', async () => {
    const bus = createEventBus();
    const spy = createHandlerSpy();
    bus.subscribe('send-email', OrderPlaced, spy.handle);
    bus.subscribe('audit', '*', spy.handle);
    await bus.publish([placed(), registered()]);
    expect(spy.records.map((r) => [r.handler, r.event.type, r.outcome])).toEqual([
      ['send-email', 'OrderPlaced', 'handled'],
      ['audit', 'OrderPlaced', 'handled'],
      ['audit', 'UserRegistered', 'handled'],
    ]);
    expect(spy.count()).toBe(3);
    expect(spy.count('audit')).toBe(2);
    expect(spy.count('send-email')).toBe(1);
    expect(spy.count('nobody')).toBe(0);
    expect(spy.events.map((e) => e.type)).toEqual(['OrderPlaced', 'OrderPlaced', 'UserRegistered']);
  });

  it('records under an explicit name and can be called without a bus', async () => {
    const spy = createHandlerSpy();
    const event = placed();
    await spy.handler('send-email')(event, undefined as never);
    expect(spy.records).toEqual([{ handler: 'send-email', event, outcome: 'handled', attempt: 1 }]);
  });

  it('wraps a real handler, records after it finishes and keeps its failures', async () => {
    const bus = createEventBus();
    const spy = createHandlerSpy();
    const sent: string[] = [];
    const boom = new Error('smtp down');
    bus.subscribe(
      'send-email',
      OrderPlaced,
      spy.handler('send-email', async (event) => {
        expectTypeOf(event.payload.total).toEqualTypeOf<number>();
        expect(spy.count('send-email')).toBe(sent.length); // not recorded before it finished
        if (event.payload.orderId === 'bad') throw boom;
        sent.push(event.payload.orderId);
      }),
    );
    await bus.publish(placed('o-1'));
    await expect(bus.publish(placed('bad'))).rejects.toThrow(/smtp down/);
    expect(sent).toEqual(['o-1']);
    expect(spy.count('send-email')).toBe(1);
    expect(spy.records[1]).toMatchObject({ handler: 'send-email', outcome: 'failed', error: boom });
  });

  it('stays synchronous for synchronous handlers, so publishSync works', () => {
    const bus = createEventBus();
    const spy = createHandlerSpy();
    bus.subscribe(
      'sync',
      OrderPlaced,
      spy.handler('sync', () => {}),
    );
    bus.subscribe('plain', OrderPlaced, spy.handle);
    bus.publishSync(placed());
    expect(spy.count()).toBe(2);
  });

  it('records a synchronous failure and rethrows it', () => {
    const spy = createHandlerSpy();
    const boom = new Error('sync boom');
    const handler = spy.handler('h', () => {
      throw boom;
    });
    expect(() => handler(placed(), undefined as never)).toThrow(boom);
    expect(spy.records[0]).toMatchObject({ outcome: 'failed', error: boom });
    expect(spy.count()).toBe(0);
  });

  it('records the attempt number it was given', async () => {
    const spy = createHandlerSpy();
    const context = { handler: 'retrying', attempt: 3 } as never;
    await spy.handle(placed(), context);
    expect(spy.records[0]).toMatchObject({ handler: 'retrying', attempt: 3 });
  });

  it('clears what it recorded, and hands out snapshots', async () => {
    const spy = createHandlerSpy();
    await spy.handle(placed(), undefined as never);
    const before = spy.events;
    spy.clear();
    expect(spy.events).toEqual([]);
    expect(spy.records).toEqual([]);
    expect(before).toHaveLength(1);
    expect(Object.isFrozen(before)).toBe(true);
  });
});

describe('waitFor', () => {
  it('resolves at once with an event already handled', async () => {
    const spy = createHandlerSpy();
    const event = placed();
    await spy.handle(event, undefined as never);
    await expect(spy.waitFor(OrderPlaced)).resolves.toBe(event);
    await expect(spy.waitFor('OrderPlaced')).resolves.toBe(event);
    await expect(spy.waitFor((e) => e.id === event.id)).resolves.toBe(event);
  });

  it('waits for an event handled later, narrowed by its definition', async () => {
    const bus = createEventBus();
    const spy = createHandlerSpy();
    bus.subscribe('h', '*', spy.handle);
    const waiting = spy.waitFor(OrderPlaced);
    let settled = false;
    void waiting.then(() => {
      settled = true;
    });
    await bus.publish(registered());
    expect(settled).toBe(false);
    const event = placed('o-7');
    await bus.publish(event);
    const got = await waiting;
    expectTypeOf(got.payload).toEqualTypeOf<{ readonly orderId: string; readonly total: number }>();
    expect(got).toBe(event);
  });

  it('filters by handler and by outcome', async () => {
    const spy = createHandlerSpy();
    const a = placed('a');
    const b = placed('b');
    await spy.handler('first')(a, undefined as never);
    const waitingForSecond = spy.waitFor(OrderPlaced, { handler: 'second' });
    await spy.handler('second')(b, undefined as never);
    await expect(waitingForSecond).resolves.toBe(b);
    const failing = spy.handler('third', async () => {
      throw new Error('no');
    });
    const waitingForFailure = spy.waitFor('OrderPlaced', { outcome: 'failed' });
    await expect(failing(a, undefined as never)).rejects.toThrow('no');
    await expect(waitingForFailure).resolves.toBe(a);
  });

  it('rejects after the timeout with a TimeoutError listing what was seen', async () => {
    vi.useFakeTimers();
    const spy = createHandlerSpy();
    const user = registered();
    await spy.handler('audit')(user, undefined as never);
    const failing = spy.handler('send-email', () => {
      throw new Error('smtp down');
    });
    expect(() => failing(placed(), undefined as never)).toThrow('smtp down');
    const waiting = spy.waitFor(OrderPlaced, { handler: 'send-email', timeoutMs: 250 });
    const outcome = waiting.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(250);
    const error = (await outcome) as TimeoutError;
    expect(TimeoutError.is(error)).toBe(true);
    expect(error.message).toContain('Waited 250 ms for a OrderPlaced event to be handled by "send-email"');
    expect(error.message).toContain(`1. "audit" handled UserRegistered ${user.id}`);
    expect(error.message).toMatch(/2\. "send-email" failed OrderPlaced .* \(smtp down\)/);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('says when nothing was handled at all, and names predicates', async () => {
    const spy = createHandlerSpy({ timeoutMs: 1 });
    await expect(
      spy.waitFor(function bigOrder(e) {
        return (e.payload as { total: number }).total > 100;
      }),
    ).rejects.toThrow(/an event matching bigOrder\(\).*Nothing was handled/);
  });

  it('stops waiting when its signal aborts', async () => {
    const spy = createHandlerSpy();
    const controller = new AbortController();
    const waiting = spy.waitFor(OrderPlaced, { signal: controller.signal });
    const reason = new Error('test over');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(spy.waitFor(OrderPlaced, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
  });

  it('keeps waiting across clear() and resolves several waiters with one event', async () => {
    const spy = createHandlerSpy();
    const first = spy.waitFor(OrderPlaced);
    const second = spy.waitFor('OrderPlaced');
    spy.clear();
    const event = placed();
    await spy.handle(event, undefined as never);
    await expect(Promise.all([first, second])).resolves.toEqual([event, event]);
  });
});
