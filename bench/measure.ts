/**
 * One timed run, in this process or in a fresh one. `beforeRun` is outside the timing; the
 * rate is events per second of wall time around `run`.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Benchmark } from './registry.ts';

export interface Measured {
  readonly rate: number;
  readonly latencies?: readonly number[];
  readonly versions?: Record<string, string>;
}

export async function measureOnce(
  benchmark: Benchmark,
  state: unknown,
  iterations: number,
): Promise<Measured> {
  await benchmark.beforeRun?.(state, iterations);
  const start = process.hrtime.bigint();
  const result = await benchmark.run(state, iterations);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  const ops = typeof result === 'number' ? result : result.ops;
  const latencies = typeof result === 'number' ? undefined : result.latenciesMs;
  return { rate: (ops * 1e9) / Math.max(elapsedNs, 1), ...(latencies ? { latencies } : {}) };
}

const run = promisify(execFile);
const child = fileURLToPath(new URL('./child.ts', import.meta.url));

/** Runs `benchmark` once in a fresh Node process (see `child.ts`). */
export async function measureIsolated(
  benchmark: Benchmark,
  iterations: number,
  mode: 'full' | 'quick',
): Promise<Measured> {
  const { stdout } = await run(
    process.execPath,
    // The parent's own flags: built packages (`npm run bench`) or sources (`--conditions=@tidings/source`).
    [...process.execArgv, child, benchmark.name, String(iterations), mode],
    { maxBuffer: 256 * 2 ** 20 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as Measured;
}
