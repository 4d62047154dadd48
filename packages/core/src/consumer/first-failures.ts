/**
 * When a message first failed for a handler. Brokers redeliver the same message and tell
 * only how often (their first delivery time, like `publishedAt`, is not the first failure),
 * so the consumer remembers the first failure of each message it is retrying: in memory,
 * per consumer process, bounded (the oldest entries go first past `limit`). What this
 * cannot know is said plainly: after a restart, or when another member of the group got the
 * earlier deliveries, the first failure is the first one this member saw.
 */

export interface FirstFailures {
  /** Notes a failure at `at` (ms); keeps the earliest noted one. */
  failed(handler: string, messageId: string, at: number): void;
  /** The first failure noted (ISO-8601), else `lastAt`; and forgets the message. */
  take(handler: string, messageId: string, lastAt: string): string;
  /** Forgets the message (it succeeded or was skipped). */
  forget(handler: string, messageId: string): void;
}

export function createFirstFailures(limit = 10_000): FirstFailures {
  // Map keeps insertion order: the first key is the oldest entry.
  const first = new Map<string, number>();
  const keyOf = (handler: string, messageId: string) => `${handler}\u0000${messageId}`;
  return {
    failed(handler, messageId, at) {
      const key = keyOf(handler, messageId);
      if (first.has(key)) return;
      if (first.size >= limit) first.delete(first.keys().next().value as string);
      first.set(key, at);
    },
    take(handler, messageId, lastAt) {
      const key = keyOf(handler, messageId);
      const at = first.get(key);
      first.delete(key);
      return at === undefined ? lastAt : new Date(at).toISOString();
    },
    forget(handler, messageId) {
      if (first.size > 0) first.delete(keyOf(handler, messageId));
    },
  };
}
