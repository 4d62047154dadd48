/**
 * Coalesced XACKs: the acks asked for while the event loop works through one batch of
 * replies go out as one `XACK <stream> <group> <id>…` per stream on the next turn of the
 * loop, instead of one command (and one socket write) per entry. Each caller's promise
 * settles with the XACK that carried its id, so "acked" still means the server was told.
 */
import type { Redis } from 'ioredis';

export interface Acks {
  /** Resolves once an XACK carrying `entryId` was answered; rejects with that XACK's error. */
  ack(stream: string, entryId: string): Promise<void>;
  /** Acks asked for and not answered yet. */
  readonly pending: number;
  /** Resolves when the next XACK is answered (at once if none is pending). */
  answered(): Promise<void>;
}

/** KEYS: the streams; ARGV: the group, each stream's id count, then the ids in stream order. */
const ackScript = `
local group, at = ARGV[1], #KEYS + 2
for i = 1, #KEYS do
  local last = at + tonumber(ARGV[i + 1]) - 1
  while at <= last do
    local upto = math.min(at + 999, last)
    redis.call('XACK', KEYS[i], group, unpack(ARGV, at, upto))
    at = upto + 1
  end
end
return 0
`;

interface Queued {
  readonly ids: string[];
  readonly settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

export function createAcks(redis: Redis, group: string): Acks {
  let queued = new Map<string, Queued>();
  let scheduled = false;
  let pending = 0;
  let waiters: (() => void)[] = [];

  const done = (count: number): void => {
    pending -= count;
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };

  const settle = (entry: Queued, error: unknown): void => {
    for (const s of entry.settle) {
      if (error) s.reject(error);
      else s.resolve();
    }
    done(entry.ids.length);
  };

  const flush = (): void => {
    scheduled = false;
    const batch = [...queued];
    queued = new Map();
    if (batch.length === 1) {
      const [stream, entry] = batch[0] as [string, Queued];
      redis.call('XACK', stream, group, ...entry.ids).then(
        () => settle(entry, undefined),
        (error: unknown) => settle(entry, error),
      );
      return;
    }
    // Several streams: one command for all their XACKs (cheaper than a client pipeline).
    const streams = batch.map(([stream]) => stream);
    const counts = batch.map(([, entry]) => entry.ids.length);
    const ids = batch.flatMap(([, entry]) => entry.ids);
    redis.call('EVAL', ackScript, streams.length, ...streams, group, ...counts, ...ids).then(
      () => {
        for (const [, entry] of batch) settle(entry, undefined);
      },
      (error: unknown) => {
        for (const [, entry] of batch) settle(entry, error);
      },
    );
  };

  return {
    ack(stream, entryId) {
      return new Promise<void>((resolve, reject) => {
        let entry = queued.get(stream);
        if (!entry) {
          entry = { ids: [], settle: [] };
          queued.set(stream, entry);
        }
        entry.ids.push(entryId);
        entry.settle.push({ resolve, reject });
        pending++;
        if (!scheduled) {
          scheduled = true;
          // After this turn's microtasks: every handler that finished in it has asked by then.
          setImmediate(flush);
        }
      });
    },
    get pending() {
      return pending;
    },
    answered() {
      if (pending === 0) return Promise.resolve();
      return new Promise<void>((wake) => waiters.push(wake));
    },
  };
}
