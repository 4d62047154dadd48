/**
 * Smoke test: every registered benchmark runs once with its tiny smoke size, so benchmarks
 * cannot rot between the times someone runs `npm run bench`. It asserts that they work and
 * report events, never how fast they are.
 */
import { describe, expect, it } from 'vitest';
import { allBenchmarks } from './all.ts';
import { checkRegistry } from './registry.ts';
import { runBenchmarks } from './runner.ts';

describe('benchmarks', () => {
  it('are registered with unique names and anchors in their own group', () => {
    expect(checkRegistry(allBenchmarks)).toEqual([]);
  });

  const groups = [...new Set(allBenchmarks.map((b) => b.group))];
  it.each(groups)('%s runs once', { timeout: 120_000 }, async (group) => {
    const members = allBenchmarks.filter((b) => b.group === group);
    const [result] = await runBenchmarks(members, { runs: 1, mode: 'smoke', throwOnError: true });
    for (const r of result?.results ?? []) {
      expect(r.error, r.benchmark.name).toBeUndefined();
      expect(r.throughput?.median ?? 0, r.benchmark.name).toBeGreaterThan(0);
    }
  });
});
