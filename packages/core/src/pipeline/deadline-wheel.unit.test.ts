import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadlineWheel } from './deadline-wheel.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A wheel on the fake clock that counts the timers it sets. */
function wheel(resolutionMs = 10) {
  let timersSet = 0;
  const w = createDeadlineWheel({
    resolutionMs,
    now: () => Date.now(),
    setTimer: (fire, ms) => {
      timersSet += 1;
      return setTimeout(fire, ms);
    },
  });
  return { w, timersSet: () => timersSet };
}

describe('the deadline wheel', () => {
  it('fires each deadline once, never early, with one timer for many deadlines', () => {
    const { w, timersSet } = wheel();
    const fired: number[] = [];
    for (let i = 0; i < 1000; i++) w.add(100, () => fired.push(i));
    expect(timersSet()).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(99);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(11);
    expect(fired).toHaveLength(1000);
    expect(w.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('fires in deadline order and re-arms for an earlier deadline added later', () => {
    const { w } = wheel(1);
    const fired: string[] = [];
    w.add(500, () => fired.push('late'));
    w.add(50, () => fired.push('early'));
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['early']);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(450);
    expect(fired).toEqual(['early', 'late']);
  });

  it('forgets cancelled deadlines and clears its timer when none is pending', () => {
    const { w } = wheel();
    const fired: string[] = [];
    const a = w.add(100, () => fired.push('a'));
    const b = w.add(200, () => fired.push('b'));
    w.cancel(a);
    vi.advanceTimersByTime(150);
    expect(fired).toEqual([]);
    w.cancel(b);
    w.cancel(b);
    expect(w.size).toBe(0);
    // Nothing pending: no timer keeps the process alive.
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(fired).toEqual([]);
  });

  it('skips buckets emptied by cancels and still fires the later ones', () => {
    const { w } = wheel();
    const fired: string[] = [];
    const first = w.add(100, () => fired.push('first'));
    w.add(300, () => fired.push('second'));
    w.cancel(first);
    vi.advanceTimersByTime(299);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(11);
    expect(fired).toEqual(['second']);
  });

  it('fires what is due when its timer fires even if the clock lags behind the timer', () => {
    // A clock that never moves: the timer firing alone proves the bucket is due.
    const fired: string[] = [];
    const w = createDeadlineWheel({ now: () => 0, resolutionMs: 1 });
    w.add(20, () => fired.push('x'));
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(['x']);
  });

  it('lets a deadline added while firing wait for its own time', () => {
    const { w } = wheel(1);
    const fired: string[] = [];
    w.add(10, () => {
      fired.push('a');
      w.add(10, () => fired.push('b'));
    });
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['a']);
    vi.advanceTimersByTime(10);
    expect(fired).toEqual(['a', 'b']);
  });

  it('clear() drops everything', () => {
    const { w } = wheel();
    const fire = vi.fn();
    w.add(10, fire);
    w.add(20, fire);
    w.clear();
    vi.advanceTimersByTime(100);
    expect(fire).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
