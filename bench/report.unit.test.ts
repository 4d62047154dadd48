/** The report and the doc updater: ratios to the anchor, target verdicts, blocks replaced in place. */
import { describe, expect, it } from 'vitest';
import { describeMachine } from './environment.ts';
import { defineBenchmark, selectBenchmarks } from './registry.ts';
import { formatNumber, renderGroup } from './report.ts';
import type { GroupResult } from './runner.ts';
import { quantile } from './stats.ts';
import { updateDoc } from './write-doc.ts';

const bench = (name: string, anchor?: string) =>
  defineBenchmark({
    name,
    group: 'g',
    ...(anchor ? { anchor, target: { ratio: 0.7 } } : {}),
    size: { full: 1, quick: 1 },
    setup: () => undefined,
    run: () => 1,
  });

const anchor = bench('x/anchor');
const subject = bench('x/subject', 'x/anchor');
const summary = (median: number) => ({ median, min: median, max: median });
const group: GroupResult = {
  group: 'g',
  versions: { PostgreSQL: '16.4' },
  results: [
    { benchmark: anchor, iterations: 1, throughput: summary(1000) },
    { benchmark: subject, iterations: 1, throughput: summary(650) },
  ],
};
const info = {
  command: 'npm run bench',
  runs: 5,
  mode: 'full',
  startedAt: new Date(0),
  machine: describeMachine(),
};

describe('report', () => {
  it('prints the ratio to the anchor and whether the target is met', () => {
    const text = renderGroup(group, info);
    expect(text).toContain('| `x/anchor` | 1,000 | 1,000,000 | 1,000–1,000 | anchor |');
    expect(text).toContain('0.65× | ≥ 0.7× **missed** |');
    expect(text).toContain('PostgreSQL 16.4');
  });

  it('formats three significant digits', () => {
    expect(formatNumber(1234567)).toBe('1,230,000');
    expect(formatNumber(12.345)).toBe('12.3');
  });

  it('selects by prefix and keeps the anchors', () => {
    expect(selectBenchmarks([anchor, subject], ['x/sub']).map((b) => b.name)).toEqual([
      'x/anchor',
      'x/subject',
    ]);
  });

  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('replaces a group block and keeps the prose around it', () => {
    const first = updateDoc('# Benchmarks\n\nProse.\n', info.machine, [group], info);
    const again = updateDoc(`${first}\nMore prose.\n`, info.machine, [group], info);
    expect(again.match(/bench:group g -->/g)).toHaveLength(1);
    expect(again).toContain('Prose.');
    expect(again).toContain('More prose.');
  });
});
