/**
 * A tiny async mutex. One better-sqlite3 connection has one transaction at a time, and a
 * user's `transaction` work may await, so every store operation on the connection queues
 * here; otherwise a relay's claim would run inside (and commit with) someone's open transaction.
 */

export interface Serial {
  /** Runs `work` after every earlier call has settled. */
  run<T>(work: () => T | Promise<T>): Promise<T>;
}

export function createSerial(): Serial {
  let tail: Promise<void> = Promise.resolve();
  return {
    run<T>(work: () => T | Promise<T>): Promise<T> {
      const result = tail.then(work);
      // The queue moves on whether `work` resolved or threw.
      tail = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    },
  };
}
