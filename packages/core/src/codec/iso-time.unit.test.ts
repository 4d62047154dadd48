/** `isoTime` keeps one formatted time: it must never hand back the previous one for another. */
import { describe, expect, it } from 'vitest';
import { isoTime } from './iso-time.ts';
import { requireTime } from './raw-event.ts';

describe('isoTime', () => {
  it('formats each time as Date does, repeated or not', () => {
    for (const ms of [0, 1, 1, 1_764_000_000_123, 1_764_000_000_123, 1_764_000_000_124, 1]) {
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws for a time Date cannot format, also right after a good one', () => {
    isoTime(5);
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
    expect(isoTime(5)).toBe(new Date(5).toISOString());
  });
});

describe('requireTime', () => {
  it('refuses a bad time right after passing a good one', () => {
    const good = '2026-12-02T15:00:00.000Z';
    expect(requireTime(good, 'time')).toBe(good);
    expect(requireTime(good, 'time')).toBe(good);
    expect(() => requireTime('2026-12-02T15:00:00.000', 'time')).toThrow(/ISO-8601/);
    expect(() => requireTime('2026-13-02T15:00:00.000Z', 'time')).toThrow(/ISO-8601/);
    expect(requireTime(good, 'time')).toBe(good);
  });
});
