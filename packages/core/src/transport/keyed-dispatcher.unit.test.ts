import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyedDispatcher } from './keyed-dispatcher.ts';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('createKeyedDispatcher', () => {
  it('runs one item per key at a time, in push order, while other keys proceed', async () => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const started: string[] = [];
    const dispatcher = createKeyedDispatcher<string>(4, async (item) => {
      started.push(item);
      const gate = deferred();
      gates.set(item, gate);
      await gate.promise;
    });
    dispatcher.push('a', 'a1');
    dispatcher.push('a', 'a2');
    dispatcher.push('b', 'b1');
    expect(started).toEqual(['a1', 'b1']);
    gates.get('a1')?.resolve();
    await expect.poll(() => started).toEqual(['a1', 'b1', 'a2']);
    gates.get('a2')?.resolve();
    gates.get('b1')?.resolve();
    await dispatcher.idle();
    expect(dispatcher.load).toBe(0);
  });

  it('never runs more than the concurrency and frees a slot when one finishes', async () => {
    let running = 0;
    let peak = 0;
    const dispatcher = createKeyedDispatcher<number>(2, async () => {
      running++;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running--;
    });
    for (let i = 0; i < 10; i++) dispatcher.push(String(i), i);
    expect(dispatcher.load).toBe(10);
    await dispatcher.slotFree();
    expect(dispatcher.load).toBeLessThan(2);
    await dispatcher.idle();
    expect(peak).toBe(2);
  });

  it('hands back the items that have not started', async () => {
    const gate = deferred();
    const dispatcher = createKeyedDispatcher<string>(1, () => gate.promise);
    dispatcher.push('a', 'a1');
    dispatcher.push('a', 'a2');
    dispatcher.push('b', 'b1');
    expect(dispatcher.takeWaiting()).toEqual(['a2', 'b1']);
    gate.resolve();
    await dispatcher.idle();
  });

  it('keeps going after an item rejects', async () => {
    const done: number[] = [];
    const dispatcher = createKeyedDispatcher<number>(1, async (n) => {
      if (n === 1) throw new Error('boom');
      done.push(n);
    });
    dispatcher.push('k', 1);
    dispatcher.push('k', 2);
    await dispatcher.idle();
    expect(done).toEqual([2]);
  });

  it('keeps per-key push order and the concurrency bound for any mix of keys and durations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat(5)), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 6 }),
        async (items, concurrency) => {
          const started: [string, number][] = [];
          const running = new Set<string>();
          let peak = 0;
          let overlap = false;
          const dispatcher = createKeyedDispatcher<[string, number, number]>(
            concurrency,
            async ([key, ticks, i]) => {
              if (running.has(key)) overlap = true;
              running.add(key);
              peak = Math.max(peak, running.size);
              started.push([key, i]);
              for (let t = 0; t < ticks; t++) await Promise.resolve();
              running.delete(key);
            },
          );
          items.forEach(([key, ticks], i) => {
            dispatcher.push(key, [key, ticks, i]);
          });
          await dispatcher.idle();
          expect(overlap).toBe(false);
          expect(peak).toBeLessThanOrEqual(concurrency);
          expect(started).toHaveLength(items.length);
          for (const key of new Set(items.map(([k]) => k))) {
            const order = started.filter(([k]) => k === key).map(([, i]) => i);
            expect(order).toEqual([...order].sort((x, y) => x - y));
          }
        },
      ),
    );
  });
});
