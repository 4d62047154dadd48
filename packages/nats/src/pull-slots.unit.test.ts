/** The slot budget a NATS subscription pulls against never hands out more than its capacity. */
import { describe, expect, it } from 'vitest';
import { createPullSlots } from './pull-slots.ts';

describe('pull slots', () => {
  it('takes only free slots and waits for one to be given back', async () => {
    const slots = createPullSlots(3);
    expect(await slots.take(2)).toBe(2);
    expect(await slots.take(5)).toBe(1);
    let second: number | undefined;
    const waiting = slots.take(5).then((count) => {
      second = count;
    });
    await Promise.resolve();
    expect(second).toBeUndefined();
    slots.give(2);
    await waiting;
    expect(second).toBe(2);
    expect(slots.taken).toBe(3);
  });

  it('answers 0 to waiting and later takes once closed', async () => {
    const slots = createPullSlots(1);
    await slots.take(1);
    const waiting = slots.take(1);
    slots.close();
    expect(await waiting).toBe(0);
    expect(await slots.take(1)).toBe(0);
  });
});

describe('pull slots fairness', () => {
  it('serves waiting takes before a later one that arrived after slots were given back', async () => {
    const slots = createPullSlots(1);
    await slots.take(1);
    const order: string[] = [];
    const waiting = slots.take(1).then(() => order.push('waiting'));
    slots.give(1);
    const later = slots.take(1).then(() => order.push('later'));
    await waiting;
    slots.give(1);
    await later;
    expect(order).toEqual(['waiting', 'later']);
  });
});
