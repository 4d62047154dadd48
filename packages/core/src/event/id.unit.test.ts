import { validate, version } from 'uuid';
import { describe, expect, it, vi } from 'vitest';
import { createEventId } from './id.ts';

const msOf = (id: string) => Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('createEventId', () => {
  it('makes RFC 9562 version 7 UUIDs that the uuid package accepts', () => {
    for (let n = 0; n < 5_000; n++) {
      const id = createEventId();
      expect(validate(id), id).toBe(true);
      expect(version(id)).toBe(7);
      expect('89ab').toContain(id[19]);
    }
  });

  it('carries the creation millisecond in its first 48 bits', () => {
    // Later than any id made so far: ids never go back in time, even when the clock does.
    const at = Math.max(Date.now(), msOf(createEventId())) + 3_600_123;
    vi.useFakeTimers({ now: at, toFake: ['Date'] });
    try {
      expect(msOf(createEventId())).toBe(at);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps ids of one process strictly increasing, also within one millisecond and across pool refills', () => {
    vi.useFakeTimers({ now: Math.max(Date.now(), msOf(createEventId())) + 7_200_000, toFake: ['Date'] });
    try {
      const ids = Array.from({ length: 30_000 }, createEventId);
      for (let n = 1; n < ids.length; n++)
        expect(ids[n]! > ids[n - 1]!, `${ids[n - 1]} < ${ids[n]}`).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      vi.useRealTimers();
    }
  });
});
