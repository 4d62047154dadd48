import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRetryTimer } from './retry-timer.ts';

describe('createRetryTimer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('resumes waits in due order with one timer, whatever order they were asked in', async () => {
    const timer = createRetryTimer();
    const order: number[] = [];
    const waits = [300, 100, 200].map((ms) => timer.wait(ms).then(() => order.push(ms)));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(150);
    expect(order).toEqual([100]);
    await vi.advanceTimersByTimeAsync(200);
    await Promise.all(waits);
    expect(order).toEqual([100, 200, 300]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends every wait with false on close, and later ones at once', async () => {
    const timer = createRetryTimer();
    const pending = timer.wait(10_000);
    timer.close();
    expect(await pending).toBe(false);
    expect(await timer.wait(5)).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
