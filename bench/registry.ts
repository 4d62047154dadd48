/**
 * The benchmark registry: what a benchmark is, and the one list every runner (the CLI and the
 * smoke test) reads. Scenario files export arrays of benchmarks; `bench/all.ts` concatenates them.
 *
 * A benchmark is measured in a group beside its peers. Its `anchor` names another benchmark of
 * the same group (the thing to compare against: node:events, the raw INSERT, the raw claim
 * loop); the report prints the ratio of the medians, both measured in the same run, so machine
 * load shifts both sides alike.
 */

/** How many events one timed run processes, per mode. */
export interface BenchmarkSize {
  /** `npm run bench`. */
  readonly full: number;
  /** `npm run bench -- --quick`. */
  readonly quick: number;
  /** The smoke test (`bench/bench.int.test.ts`): one tiny run. Default 1. */
  readonly smoke?: number;
}

export interface SetupOptions {
  /** Events per timed run in this mode. */
  readonly iterations: number;
  /** Lets a benchmark scale what it prepares (e.g. a million history rows only in `full`). */
  readonly mode: 'full' | 'quick' | 'smoke';
}

/** What a timed run reports: the number of events it processed, and latencies if it measured them. */
export type RunResult = number | { readonly ops: number; readonly latenciesMs?: readonly number[] };

/** A target from the issue: the subject must reach `ratio` × its anchor. */
export interface BenchmarkTarget {
  readonly ratio: number;
  /** Which measure the ratio is on: throughput (default) or p50 latency. */
  readonly on?: 'throughput' | 'latency';
}

export interface Benchmark<State = unknown> {
  /** Unique, slash-separated, filterable by prefix: `dispatch/sync/1/tidings`. */
  readonly name: string;
  /** The table it is printed in: `dispatch: sync, 1 handler`. */
  readonly group: string;
  /** Name of the benchmark of the same group this one is compared with. */
  readonly anchor?: string;
  readonly target?: BenchmarkTarget;
  /** One line under the table: what exactly is measured. */
  readonly note?: string;
  readonly size: BenchmarkSize;
  /**
   * Run each timed run in a fresh Node process (its own warm-up first). For benchmarks whose
   * peers would otherwise pay for process-wide state another benchmark switched on: on Node 20
   * the first `AsyncLocalStorage.run` installs promise hooks that slow every later promise.
   */
  readonly isolate?: boolean;
  /** Builds what every run needs (connections, schema, subscribers); not timed. */
  setup(options: SetupOptions): State | Promise<State>;
  /** Runs before each timed run, not timed (e.g. refill a backlog the run consumes). */
  beforeRun?(state: State, iterations: number): void | Promise<void>;
  /** The timed part: processes `iterations` events and says how many it did. */
  run(state: State, iterations: number): RunResult | Promise<RunResult>;
  teardown?(state: State): void | Promise<void>;
  /** Versions of the servers involved, for the report header: `{ PostgreSQL: '16.4' }`. */
  versions?(state: State): Record<string, string> | Promise<Record<string, string>>;
}

/**
 * Declares a benchmark with its state type checked, then erases the state for the registry.
 *
 * @example
 * export const emitterOne = defineBenchmark({
 *   name: 'dispatch/sync/1/node-events',
 *   group: 'dispatch: sync, 1 handler',
 *   size: { full: 2_000_000, quick: 200_000 },
 *   setup: () => { const e = new EventEmitter(); e.on('x', () => {}); return e; },
 *   run: (e, n) => { for (let i = 0; i < n; i++) e.emit('x', i); return n; },
 * });
 */
export function defineBenchmark<State>(benchmark: Benchmark<State>): Benchmark {
  return benchmark as unknown as Benchmark;
}

/** The benchmarks whose name starts with one of `prefixes`, plus the anchors they need. */
export function selectBenchmarks(all: readonly Benchmark[], prefixes: readonly string[]): Benchmark[] {
  if (prefixes.length === 0) return [...all];
  const chosen = new Set(all.filter((b) => prefixes.some((p) => b.name.startsWith(p))));
  for (const b of [...chosen]) {
    const anchor = all.find((a) => a.name === b.anchor);
    if (anchor) chosen.add(anchor);
  }
  return all.filter((b) => chosen.has(b));
}

/** Checks names are unique and anchors exist in the same group; returns the problems. */
export function checkRegistry(all: readonly Benchmark[]): string[] {
  const problems: string[] = [];
  const byName = new Map<string, Benchmark>();
  for (const b of all) {
    if (byName.has(b.name)) problems.push(`benchmark name "${b.name}" is registered twice`);
    byName.set(b.name, b);
  }
  for (const b of all) {
    if (b.anchor === undefined) continue;
    const anchor = byName.get(b.anchor);
    if (!anchor) problems.push(`benchmark "${b.name}" has anchor "${b.anchor}", which is not registered`);
    else if (anchor.group !== b.group)
      problems.push(`benchmark "${b.name}" is in group "${b.group}" but its anchor is in "${anchor.group}"`);
  }
  return problems;
}
