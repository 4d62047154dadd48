/**
 * What each dispatch mode guarantees, observed through the interleaving of handlers that
 * wait on deferred promises we resolve by hand (no timers): publishSync runs in the
 * caller's stack, sequential awaits in order, concurrent starts everything first.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError, errorMessage, HandlersFailedError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { createEventBus } from './event-bus.ts';

const Tick = defineEvent('Tick', { schema: z.object({ n: z.number() }) });

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets every already-queued promise continuation run. */
async function drain(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('publishSync', () => {
  it('runs sync handlers in subscription order before returning', () => {
    const bus = createEventBus();
    const log: string[] = [];
    bus.subscribe('a', Tick, (e) => void log.push(`a${e.payload.n}`));
    bus.subscribe('b', '*', (e) => void log.push(`b${(e.payload as { n: number }).n}`));
    log.push('before');
    bus.publishSync([Tick.create({ n: 1 }), Tick.create({ n: 2 })]);
    log.push('after');
    expect(log).toEqual(['before', 'a1', 'b1', 'a2', 'b2', 'after']);
  });

  it('reports an async handler as a failure and still runs the others', () => {
    const bus = createEventBus();
    const log: string[] = [];
    bus.subscribe('async-one', Tick, async () => {
      log.push('async started');
    });
    bus.subscribe('sync-one', Tick, () => void log.push('sync'));
    let caught: unknown;
    try {
      bus.publishSync(Tick.create({ n: 1 }));
    } catch (error) {
      caught = error;
    }
    expect(log).toEqual(['async started', 'sync']);
    const failures = (caught as HandlersFailedError).failures;
    expect(failures.map((f) => f.handler)).toEqual(['async-one']);
    expect(ConfigurationError.is(failures[0]?.error)).toBe(true);
    expect(errorMessage(failures[0]?.error)).toMatch(/use publish\(\)/);
  });

  it('does not leave an unhandled rejection behind when an async handler rejects', async () => {
    const bus = createEventBus();
    bus.subscribe('async-fails', Tick, async () => {
      throw new Error('later');
    });
    expect(() => bus.publishSync(Tick.create({ n: 1 }))).toThrow(HandlersFailedError);
    // vitest fails the run on an unhandled rejection; let it surface if there were one.
    await drain();
  });
});

describe('publish, sequential', () => {
  it('awaits each handler before starting the next, event by event', async () => {
    const bus = createEventBus({ mode: 'sequential' });
    const log: string[] = [];
    const gates = { a1: deferred(), b1: deferred(), a2: deferred(), b2: deferred() };
    const handler = (name: 'a' | 'b') => async (event: { payload: { n: number } }) => {
      const key = `${name}${event.payload.n}` as keyof typeof gates;
      log.push(`start ${key}`);
      await gates[key].promise;
      log.push(`end ${key}`);
    };
    bus.subscribe('a', Tick, handler('a'));
    bus.subscribe('b', Tick, handler('b'));
    let done = false;
    const published = bus.publish([Tick.create({ n: 1 }), Tick.create({ n: 2 })]).then(() => {
      done = true;
    });

    await drain();
    expect(log).toEqual(['start a1']);
    gates.b1.resolve(); // resolving a later gate first must not let b1 run ahead of a1
    await drain();
    expect(log).toEqual(['start a1']);
    gates.a1.resolve();
    await drain();
    expect(log).toEqual(['start a1', 'end a1', 'start b1', 'end b1', 'start a2']);
    gates.a2.resolve();
    await drain();
    expect(log.slice(5)).toEqual(['end a2', 'start b2']);
    expect(done).toBe(false);
    gates.b2.resolve();
    await published;
    expect(log.at(-1)).toBe('end b2');
  });

  it('is the default mode', async () => {
    const bus = createEventBus();
    const log: string[] = [];
    const gate = deferred();
    bus.subscribe('slow', Tick, async () => {
      await gate.promise;
      log.push('slow');
    });
    bus.subscribe('fast', Tick, () => void log.push('fast'));
    const published = bus.publish(Tick.create({ n: 1 }));
    await drain();
    expect(log).toEqual([]);
    gate.resolve();
    await published;
    expect(log).toEqual(['slow', 'fast']);
  });
});

describe('publish, concurrent', () => {
  it('starts every handler of an event before any finishes, then awaits all', async () => {
    const bus = createEventBus();
    const log: string[] = [];
    const gates = [deferred(), deferred(), deferred()];
    gates.forEach((gate, i) => {
      bus.subscribe(`h${i}`, Tick, async () => {
        log.push(`start ${i}`);
        await gate.promise;
        log.push(`end ${i}`);
      });
    });
    let done = false;
    const published = bus.publish(Tick.create({ n: 1 }), { mode: 'concurrent' }).then(() => {
      done = true;
    });
    await drain();
    expect(log).toEqual(['start 0', 'start 1', 'start 2']);
    gates[2]?.resolve();
    gates[0]?.resolve();
    await drain();
    expect(log.slice(3)).toEqual(['end 2', 'end 0']);
    expect(done).toBe(false);
    gates[1]?.resolve();
    await published;
    expect(done).toBe(true);
  });

  it('still processes the events of a batch one after another', async () => {
    const bus = createEventBus({ mode: 'concurrent' });
    const log: string[] = [];
    const gate = deferred();
    bus.subscribe('h', Tick, async (event) => {
      log.push(`start ${event.payload.n}`);
      if (event.payload.n === 1) await gate.promise;
    });
    const published = bus.publish([Tick.create({ n: 1 }), Tick.create({ n: 2 })]);
    await drain();
    expect(log).toEqual(['start 1']);
    gate.resolve();
    await published;
    expect(log).toEqual(['start 1', 'start 2']);
  });
});
