/**
 * Sequential `publish` stays synchronous until a handler returns a thenable and then continues
 * asynchronously; these pin down that the switch keeps order, blame and ambient causation at
 * every point it can happen: first, middle and last handler, first and later events.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HandlersFailedError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { createEventBus } from './event-bus.ts';

const Tick = defineEvent('Tick', { schema: z.object({ n: z.number() }) });
const Tock = defineEvent('Tock', { schema: z.object({ n: z.number() }) });

const failuresOf = async (promise: Promise<unknown>) => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HandlersFailedError);
  return (error as HandlersFailedError).failures.map((f) => `${f.handler}:${f.eventType}`);
};

describe('sequential publish', () => {
  it('runs mixed sync and async handlers one after another, event by event', async () => {
    const bus = createEventBus();
    const log: string[] = [];
    bus.subscribe('sync', '*', (e) => void log.push(`sync ${(e.payload as { n: number }).n}`));
    bus.subscribe('async', '*', async (e) => {
      log.push(`async start ${(e.payload as { n: number }).n}`);
      await Promise.resolve();
      log.push(`async end ${(e.payload as { n: number }).n}`);
    });
    bus.subscribe('last', '*', (e) => void log.push(`last ${(e.payload as { n: number }).n}`));
    await bus.publish([Tick.create({ n: 1 }), Tick.create({ n: 2 })]);
    expect(log).toEqual([
      'sync 1',
      'async start 1',
      'async end 1',
      'last 1',
      'sync 2',
      'async start 2',
      'async end 2',
      'last 2',
    ]);
  });

  it('returns a promise and never throws synchronously, even when only sync handlers fail', async () => {
    const bus = createEventBus();
    bus.subscribe('boom', Tick, () => {
      throw new Error('sync boom');
    });
    let promise: Promise<void> | undefined;
    expect(() => {
      promise = bus.publish(Tick.create({ n: 1 }));
    }).not.toThrow();
    expect(await failuresOf(promise as Promise<void>)).toEqual(['boom:Tick']);
    await expect(bus.publish(undefined as never)).rejects.toThrow();
  });

  it('names every failure, sync or async, first, middle or last, across events', async () => {
    const bus = createEventBus();
    bus.subscribe('sync-throws', Tick, () => {
      throw new Error('a');
    });
    bus.subscribe('rejects', Tick, async () => {
      throw new Error('b');
    });
    bus.subscribe('fine', '*', async () => {});
    bus.subscribe('last-rejects', '*', async () => {
      throw new Error('c');
    });
    const failures = await failuresOf(bus.publish([Tick.create({ n: 1 }), Tock.create({ n: 2 })]));
    expect(failures).toEqual(['sync-throws:Tick', 'rejects:Tick', 'last-rejects:Tick', 'last-rejects:Tock']);
  });

  it('blames the handler that rejected even if subscriptions change while it is pending', async () => {
    const bus = createEventBus();
    let release!: () => void;
    bus.subscribe(
      'slow',
      Tick,
      () => new Promise<void>((_, reject) => (release = () => reject(new Error('x')))),
    );
    const pending = bus.publish(Tick.create({ n: 1 }));
    bus.subscribe('added-later', '*', () => {});
    bus.unsubscribe('slow');
    release();
    expect(await failuresOf(pending)).toEqual(['slow:Tick']);
  });

  it('keeps each event as the ambient cause for handlers that run after an earlier await', async () => {
    const bus = createEventBus();
    const created: AnyDomainEvent[] = [];
    bus.subscribe('awaits', Tick, async () => {
      await Promise.resolve();
    });
    bus.subscribe('creates', '*', async () => {
      await Promise.resolve();
      created.push(Tock.create({ n: 0 }));
    });
    const first = Tick.create({ n: 1 });
    const second = Tick.create({ n: 2 });
    await bus.publish([first, second]);
    expect(created.map((e) => e.causationId)).toEqual([first.id, second.id]);
    // Outside any handler there is no ambient cause any more.
    expect(Tock.create({ n: 3 }).causationId).toBeUndefined();
  });
});
