/**
 * Runs message handlers with bounded concurrency while keeping one key to one call at a
 * time, in arrival order. A subscription with `concurrency > 1` would otherwise let two
 * events of one aggregate overtake each other inside a single member.
 */

export interface KeyedDispatcher<T> {
  /** Queues `item`; it runs once a slot is free and no earlier item of `key` is running. */
  push(key: string, item: T): void;
  /** Items queued or running: a pull loop asks for no more than `concurrency - load`. */
  readonly load: number;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Resolves when `load` drops below the concurrency (immediately if it already is). */
  slotFree(): Promise<void>;
  /** Removes and returns the items not yet started, so a closing member can hand them back. */
  takeWaiting(): T[];
}

interface Entry<T> {
  readonly key: string;
  readonly item: T;
}

/**
 * @example
 * const dispatcher = createKeyedDispatcher(4, async (message) => handle(message));
 * dispatcher.push(message.key, message);
 * await dispatcher.idle();
 */
export function createKeyedDispatcher<T>(
  concurrency: number,
  run: (item: T) => Promise<void>,
): KeyedDispatcher<T> {
  const waiting: Entry<T>[] = [];
  const busyKeys = new Set<string>();
  let running = 0;
  let waiters: (() => void)[] = [];

  const notify = (): void => {
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };

  const pump = (): void => {
    for (let i = 0; i < waiting.length && running < concurrency; ) {
      const entry = waiting[i] as Entry<T>;
      if (busyKeys.has(entry.key)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      busyKeys.add(entry.key);
      running++;
      // `run` owns its errors (it acks or redelivers); a throw here must not stall the queue.
      void run(entry.item)
        .catch(() => undefined)
        .finally(() => {
          busyKeys.delete(entry.key);
          running--;
          pump();
          notify();
        });
    }
  };

  return {
    push(key, item) {
      waiting.push({ key, item });
      pump();
    },
    get load() {
      return running + waiting.length;
    },
    async idle() {
      while (running + waiting.length > 0) await new Promise<void>((wake) => waiters.push(wake));
    },
    takeWaiting() {
      const items = waiting.map((entry) => entry.item);
      waiting.length = 0;
      notify();
      return items;
    },
    async slotFree() {
      while (running + waiting.length >= concurrency) await new Promise<void>((wake) => waiters.push(wake));
    },
  };
}
