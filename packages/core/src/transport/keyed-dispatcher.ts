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
  /** Push order, to hand waiting items back in the order they came. */
  readonly seq: number;
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
  // Entries whose key has nothing running or ready before them, in the order they became
  // runnable (a FIFO with a moving head, so a dispatch is O(1) however many wait).
  let ready: Entry<T>[] = [];
  let head = 0;
  // Per key with an entry running or ready: the entries queued behind it, in push order.
  const behind = new Map<string, Entry<T>[]>();
  // Keys with an entry running now.
  const active = new Set<string>();
  let queued = 0;
  let running = 0;
  let seq = 0;
  let waiters: (() => void)[] = [];

  const notify = (): void => {
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };

  const finished = (key: string): void => {
    running--;
    active.delete(key);
    const rest = behind.get(key);
    const next = rest?.shift();
    if (next) ready.push(next);
    else behind.delete(key);
    pump();
    notify();
  };

  const pump = (): void => {
    while (running < concurrency && head < ready.length) {
      const entry = ready[head++] as Entry<T>;
      queued--;
      running++;
      active.add(entry.key);
      const done = (): void => finished(entry.key);
      // `run` owns its errors (it acks or redelivers); a throw here must not stall the queue.
      run(entry.item).then(done, done);
    }
    if (head === ready.length) {
      ready = [];
      head = 0;
    } else if (head > 1024 && head * 2 > ready.length) {
      ready = ready.slice(head);
      head = 0;
    }
  };

  return {
    push(key, item) {
      const entry = { key, item, seq: seq++ };
      queued++;
      const rest = behind.get(key);
      if (rest) rest.push(entry);
      else {
        behind.set(key, []);
        ready.push(entry);
      }
      pump();
    },
    get load() {
      return running + queued;
    },
    async idle() {
      while (running + queued > 0) await new Promise<void>((wake) => waiters.push(wake));
    },
    takeWaiting() {
      const entries = [...ready.slice(head), ...[...behind.values()].flat()].sort((x, y) => x.seq - y.seq);
      ready = [];
      head = 0;
      // A key with an entry still running keeps its place, so a later push waits for it.
      for (const key of [...behind.keys()]) {
        if (active.has(key)) (behind.get(key) as Entry<T>[]).length = 0;
        else behind.delete(key);
      }
      queued = 0;
      notify();
      return entries.map((entry) => entry.item);
    },
    async slotFree() {
      while (running + queued >= concurrency) await new Promise<void>((wake) => waiters.push(wake));
    },
  };
}
