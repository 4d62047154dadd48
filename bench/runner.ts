/**
 * Runs registered benchmarks group by group. Within a group every member is set up first,
 * warmed up once, then the members take turns for each of the `runs` rounds, so a slow minute
 * on a shared machine hits the subject and its anchor alike. Not timed: setup, `beforeRun`,
 * teardown. A benchmark marked `isolate` runs each time in a fresh process instead.
 */
import { type Measured, measureIsolated, measureOnce } from './measure.ts';
import type { Benchmark } from './registry.ts';
import { quantile, type Summary, summarize } from './stats.ts';

export type RunMode = 'full' | 'quick' | 'smoke';

export interface RunnerOptions {
  readonly runs: number;
  readonly mode: RunMode;
  /** Called with one line per step, for progress on stderr. */
  readonly log?: (line: string) => void;
  /** The smoke test wants the first failure thrown, not reported. */
  readonly throwOnError?: boolean;
}

export interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** min–max over runs of each run's p50. */
  readonly p50Spread: Summary;
  readonly samples: number;
}

export interface BenchmarkResult {
  readonly benchmark: Benchmark;
  readonly iterations: number;
  /** Events per second, over the runs. */
  readonly throughput?: Summary;
  readonly latency?: Latency;
  readonly error?: string;
}

export interface GroupResult {
  readonly group: string;
  readonly results: readonly BenchmarkResult[];
  readonly versions: Record<string, string>;
}

function iterationsOf(benchmark: Benchmark, mode: RunMode): number {
  return mode === 'smoke' ? (benchmark.size.smoke ?? 1) : benchmark.size[mode];
}

interface Live {
  readonly benchmark: Benchmark;
  readonly iterations: number;
  state?: unknown;
  readonly rates: number[];
  readonly latencies: number[][];
  error?: string;
}

async function timed(live: Live, mode: RunMode): Promise<Measured> {
  if (live.benchmark.isolate && mode !== 'smoke')
    return measureIsolated(live.benchmark, live.iterations, mode);
  return measureOnce(live.benchmark, live.state, live.iterations);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function latencyOf(perRun: readonly (readonly number[])[]): Latency | undefined {
  const pooled = perRun.flat();
  if (pooled.length === 0) return undefined;
  return {
    p50: quantile(pooled, 0.5),
    p99: quantile(pooled, 0.99),
    max: Math.max(...pooled),
    p50Spread: summarize(perRun.filter((r) => r.length > 0).map((r) => quantile(r, 0.5))),
    samples: pooled.length,
  };
}

async function runGroup(group: string, members: readonly Benchmark[], options: RunnerOptions) {
  const log = options.log ?? (() => {});
  const lives: Live[] = members.map((benchmark) => ({
    benchmark,
    iterations: iterationsOf(benchmark, options.mode),
    rates: [],
    latencies: [],
  }));
  const fail = (live: Live, error: unknown) => {
    if (options.throwOnError) throw error;
    live.error = message(error);
    log(`  ${live.benchmark.name}: FAILED ${live.error}`);
  };
  const versions: Record<string, string> = {};
  for (const live of lives) {
    try {
      if (live.benchmark.isolate && options.mode !== 'smoke') continue;
      log(`  setup ${live.benchmark.name}`);
      live.state = await live.benchmark.setup({ iterations: live.iterations, mode: options.mode });
      Object.assign(versions, await live.benchmark.versions?.(live.state));
    } catch (error) {
      fail(live, error);
    }
  }
  const rounds = options.mode === 'smoke' ? 1 : options.runs + 1; // round 0 warms up
  for (let round = 0; round < rounds; round++) {
    for (const live of lives) {
      if (live.error !== undefined) continue;
      try {
        // An isolated benchmark warms up inside its own process, so it skips the shared warm-up.
        const warmup = options.mode !== 'smoke' && round === 0;
        if (warmup && live.benchmark.isolate) continue;
        const { rate, latencies, versions: childVersions } = await timed(live, options.mode);
        Object.assign(versions, childVersions);
        log(`  ${warmup ? 'warmup' : `run ${round}`} ${live.benchmark.name}: ${Math.round(rate)} events/s`);
        if (warmup) continue;
        live.rates.push(rate);
        live.latencies.push([...(latencies ?? [])]);
      } catch (error) {
        fail(live, error);
      }
    }
  }
  for (const live of lives) {
    try {
      if (live.state !== undefined) await live.benchmark.teardown?.(live.state);
    } catch (error) {
      fail(live, error);
    }
  }
  const results: BenchmarkResult[] = lives.map((live) => {
    const latency = latencyOf(live.latencies);
    return {
      benchmark: live.benchmark,
      iterations: live.iterations,
      ...(live.rates.length > 0 ? { throughput: summarize(live.rates) } : {}),
      ...(latency ? { latency } : {}),
      ...(live.error !== undefined ? { error: live.error } : {}),
    };
  });
  return { group, results, versions };
}

/** Runs `benchmarks` (grouped by `group`, in registration order) and returns every result. */
export async function runBenchmarks(
  benchmarks: readonly Benchmark[],
  options: RunnerOptions,
): Promise<GroupResult[]> {
  const groups = new Map<string, Benchmark[]>();
  for (const b of benchmarks) groups.set(b.group, [...(groups.get(b.group) ?? []), b]);
  const out: GroupResult[] = [];
  for (const [group, members] of groups) {
    options.log?.(`${group}`);
    out.push(await runGroup(group, members, options));
  }
  return out;
}
