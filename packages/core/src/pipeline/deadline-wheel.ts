/**
 * One timer for all the deadlines of a pipeline. Handler timeouts used to be a `setTimeout`
 * plus a `Promise.race` per message; at thousands of messages a second that is a large
 * share of a no-op handler's cost, and almost every deadline is cancelled long before it
 * fires. The wheel files each deadline in a coarse bucket (`resolutionMs`, rounded up so a
 * deadline never fires early) and keeps ONE timer armed for the earliest bucket. Adding and
 * cancelling are a Map lookup and a Set insert or delete; when nothing is pending the timer
 * is cleared, so an idle pipeline keeps no process alive.
 */

export interface DeadlineEntry {
  /** The bucket it is filed under (ms, on the wheel's clock). */
  readonly at: number;
  readonly fire: () => void;
}

export interface DeadlineWheel {
  /** Calls `fire` once, no sooner than `ms` from now, unless cancelled first. */
  add(ms: number, fire: () => void): DeadlineEntry;
  /** Forgets `entry`; a no-op when it fired or was cancelled already. */
  cancel(entry: DeadlineEntry): void;
  /** The wheel's clock (ms): what `add` counts from. */
  now(): number;
  /** Deadlines pending. */
  readonly size: number;
  /** Cancels everything and clears the timer. */
  clear(): void;
}

export interface DeadlineWheelOptions {
  /** Bucket width. Default 10 ms. */
  readonly resolutionMs?: number;
  /** A monotonic clock in ms. Default `performance.now`. */
  readonly now?: () => number;
  readonly setTimer?: (fire: () => void, ms: number) => unknown;
  readonly clearTimer?: (timer: unknown) => void;
}

export function createDeadlineWheel(options: DeadlineWheelOptions = {}): DeadlineWheel {
  const resolution = Math.max(1, options.resolutionMs ?? 10);
  const now = options.now ?? (() => performance.now());
  const setTimer = options.setTimer ?? ((fire, ms) => setTimeout(fire, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as NodeJS.Timeout));
  const buckets = new Map<number, Set<DeadlineEntry>>();
  // Bucket times, earliest first. A bucket emptied by cancels leaves its time here; the
  // timer skips such times when it next fires (cheaper than removing on every cancel).
  const times: number[] = [];
  let size = 0;
  let timer: unknown;
  let armedFor = Number.POSITIVE_INFINITY;

  const insertTime = (at: number) => {
    // Deadlines mostly grow (one timeout per handler): appending is the common case.
    let i = times.length;
    while (i > 0 && (times[i - 1] as number) > at) i -= 1;
    times.splice(i, 0, at);
  };

  const disarm = () => {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
  };

  const arm = () => {
    while (times.length > 0 && !buckets.has(times[0] as number)) times.shift();
    const first = times[0];
    if (first === undefined) return disarm();
    if (first === armedFor) return;
    disarm();
    armedFor = first;
    timer = setTimer(onTimer, Math.max(0, first - now()));
  };

  function onTimer() {
    // The timer firing means its bucket is due, even when the clock disagrees slightly.
    const due = Math.max(now(), armedFor);
    timer = undefined;
    armedFor = Number.POSITIVE_INFINITY;
    const fired: DeadlineEntry[] = [];
    while (times.length > 0 && (times[0] as number) <= due) {
      const at = times.shift() as number;
      const bucket = buckets.get(at);
      if (!bucket) continue;
      buckets.delete(at);
      size -= bucket.size;
      fired.push(...bucket);
    }
    arm();
    for (const entry of fired) entry.fire();
  }

  return {
    now,
    add(ms, fire) {
      const at = Math.ceil((now() + Math.max(0, ms)) / resolution) * resolution;
      const entry: DeadlineEntry = { at, fire };
      let bucket = buckets.get(at);
      if (!bucket) {
        bucket = new Set();
        buckets.set(at, bucket);
        insertTime(at);
      }
      bucket.add(entry);
      size += 1;
      if (at < armedFor) arm();
      return entry;
    },
    cancel(entry) {
      const bucket = buckets.get(entry.at);
      if (!bucket?.delete(entry)) return;
      size -= 1;
      if (bucket.size === 0) buckets.delete(entry.at);
      if (size === 0) {
        times.length = 0;
        disarm();
      }
    },
    get size() {
      return size;
    },
    clear() {
      buckets.clear();
      times.length = 0;
      size = 0;
      disarm();
    },
  };
}
