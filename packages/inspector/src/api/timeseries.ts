/**
 * What the inspector records while it runs, for its charts: events per minute (counted
 * from the audit log by `occurredAt`, following it by position) and backlog samples (the
 * pending deliveries per consumer, read from `stats()` every interval). Kept in memory,
 * bounded, and lost when the inspector stops: the store remains the record.
 */
import type { OutboxStore } from '@tidings/core';

export interface MinuteCount {
  /** Start of the minute, ISO-8601. */
  readonly minute: string;
  readonly count: number;
}

export interface BacklogSample {
  /** ISO-8601. */
  readonly at: string;
  /** Pending deliveries over all consumers. */
  readonly pending: number;
  /** Age in ms of the oldest pending delivery. */
  readonly lagMs: number;
  readonly byConsumer: Readonly<Record<string, number>>;
}

export interface Timeseries {
  readonly intervalMs: number;
  readonly eventsPerMinute: readonly MinuteCount[];
  readonly backlog: readonly BacklogSample[];
}

export interface TimeseriesRecorder {
  /** Takes one sample now (the timer calls it; tests call it to avoid waiting). */
  sample(): Promise<void>;
  snapshot(): Timeseries;
  close(): void;
}

export interface TimeseriesOptions {
  /** How often to sample. Default 5000 ms; 0 disables the timer (call `sample()`). */
  readonly intervalMs?: number;
  /** How many minutes of event counts to keep. Default 60. */
  readonly minutes?: number;
  /** How many backlog samples to keep. Default 720 (an hour at 5 s). */
  readonly samples?: number;
  /** Milliseconds since epoch. Default `Date.now`. */
  readonly clock?: () => number;
  /** Called when a sample fails (the store went away); sampling goes on. */
  readonly onError?: (error: unknown) => void;
}

const minuteMs = 60_000;
// Enough rows per read to catch up quickly, few enough to keep one read short.
const page = 1000;
// Reading a huge log at start-up would stall the server; older history is the store's job.
const maxCatchUpPages = 50;

/**
 * @example
 * const recorder = createTimeseriesRecorder(store, { intervalMs: 5000 });
 * await recorder.sample();
 * recorder.snapshot().eventsPerMinute;
 * recorder.close();
 */
export function createTimeseriesRecorder(
  store: Pick<OutboxStore, 'events' | 'stats'>,
  options: TimeseriesOptions = {},
): TimeseriesRecorder {
  const intervalMs = options.intervalMs ?? 5000;
  const minutes = options.minutes ?? 60;
  const maxSamples = options.samples ?? 720;
  const clock = options.clock ?? Date.now;
  const counts = new Map<number, number>();
  const backlog: BacklogSample[] = [];
  let afterPosition: number | undefined;
  let running: Promise<void> | undefined;

  const countNewEvents = async () => {
    const from = new Date(Math.floor(clock() / minuteMs) * minuteMs - (minutes - 1) * minuteMs).toISOString();
    for (let i = 0; i < maxCatchUpPages; i++) {
      const rows = await store.events(
        afterPosition === undefined ? { from, limit: page } : { afterPosition, limit: page },
      );
      for (const { position, event } of rows) {
        afterPosition = position;
        const minute = Math.floor(Date.parse(event.occurredAt) / minuteMs) * minuteMs;
        counts.set(minute, (counts.get(minute) ?? 0) + 1);
      }
      if (rows.length < page) return;
    }
  };

  const sampleBacklog = async () => {
    const stats = await store.stats();
    const byConsumer: Record<string, number> = {};
    let pending = 0;
    let lagMs = 0;
    for (const s of stats) {
      byConsumer[s.consumer] = s.pending;
      pending += s.pending;
      lagMs = Math.max(lagMs, s.oldestPendingAgeMs);
    }
    backlog.push({ at: new Date(clock()).toISOString(), pending, lagMs, byConsumer });
    if (backlog.length > maxSamples) backlog.splice(0, backlog.length - maxSamples);
  };

  const sample = () => {
    // One sample at a time: a slow store must not pile up overlapping reads.
    running ??= (async () => {
      try {
        await countNewEvents();
        await sampleBacklog();
      } catch (error) {
        options.onError?.(error);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const timer = intervalMs > 0 ? setInterval(() => void sample(), intervalMs) : undefined;
  timer?.unref();

  return {
    sample,
    snapshot() {
      const last = Math.floor(clock() / minuteMs) * minuteMs;
      const eventsPerMinute: MinuteCount[] = [];
      for (let m = last - (minutes - 1) * minuteMs; m <= last; m += minuteMs) {
        eventsPerMinute.push({ minute: new Date(m).toISOString(), count: counts.get(m) ?? 0 });
      }
      for (const minute of counts.keys()) if (minute < last - minutes * minuteMs) counts.delete(minute);
      return { intervalMs, eventsPerMinute, backlog: [...backlog] };
    },
    close() {
      if (timer) clearInterval(timer);
    },
  };
}
