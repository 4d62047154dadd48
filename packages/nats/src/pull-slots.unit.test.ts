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

describe('pull slots minimum', () => {
  it('waits until `least` slots are free, asking `least` again whenever slots are given', async () => {
    const slots = createPullSlots(8);
    expect(await slots.take(8)).toBe(8);
    let least = 4;
    let granted: number | undefined;
    const waiting = slots
      .take(8, () => least)
      .then((count) => {
        granted = count;
      });
    slots.give(3);
    await Promise.resolve();
    expect(granted).toBeUndefined();
    // Asked again on a give of nothing: one free slot is enough now.
    least = 1;
    slots.give(0);
    await waiting;
    expect(granted).toBe(3);
    expect(slots.taken).toBe(8);
  });
});
