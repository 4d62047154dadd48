/**
 * Markdown for a run: one table per group with events/s, ns/event, the spread over runs and
 * the ratio to the anchor measured in the same run; latency groups get p50/p99/max instead.
 */
import type { Machine } from './environment.ts';
import type { BenchmarkResult, GroupResult } from './runner.ts';

export interface RunInfo {
  readonly command: string;
  readonly runs: number;
  readonly mode: string;
  readonly startedAt: Date;
  readonly machine: Machine;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Three significant digits, thousands separated: 1,234,000 / 12.3 / 0.456. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return integer.format(Number(value.toPrecision(3)));
  return String(Number(value.toPrecision(3)));
}

function ratioOf(result: BenchmarkResult, anchor: BenchmarkResult | undefined): number | undefined {
  if (!anchor || anchor === result) return undefined;
  if (result.benchmark.target?.on === 'latency' || result.latency) {
    return result.latency && anchor.latency ? result.latency.p50 / anchor.latency.p50 : undefined;
  }
  return result.throughput && anchor.throughput
    ? result.throughput.median / anchor.throughput.median
    : undefined;
}

function targetCell(result: BenchmarkResult, ratio: number | undefined): string {
  const target = result.benchmark.target;
  if (!target) return '';
  const latency = target.on === 'latency';
  const wanted = `${latency ? '≤' : '≥'} ${target.ratio}×`;
  if (ratio === undefined) return `${wanted} (not measured)`;
  const met = latency ? ratio <= target.ratio : ratio >= target.ratio;
  return `${wanted} ${met ? '**met**' : '**missed**'}`;
}

function throughputRow(result: BenchmarkResult, anchor: BenchmarkResult | undefined): string {
  const name = `\`${result.benchmark.name}\``;
  if (result.error !== undefined || !result.throughput) {
    return `| ${name} | failed: ${result.error ?? 'no runs'} | | | | |`;
  }
  const t = result.throughput;
  const ratio = ratioOf(result, anchor);
  const ratioCell = anchor === result ? 'anchor' : ratio === undefined ? '' : `${ratio.toFixed(2)}×`;
  return `| ${name} | ${formatNumber(t.median)} | ${formatNumber(1e9 / t.median)} | ${formatNumber(t.min)}–${formatNumber(t.max)} | ${ratioCell} | ${targetCell(result, ratio)} |`;
}

function latencyRow(result: BenchmarkResult, anchor: BenchmarkResult | undefined): string {
  const name = `\`${result.benchmark.name}\``;
  if (result.error !== undefined || !result.latency) {
    return `| ${name} | failed: ${result.error ?? 'no samples'} | | | | | | |`;
  }
  const l = result.latency;
  const ratio = ratioOf(result, anchor);
  const ratioCell = anchor === result ? 'anchor' : ratio === undefined ? '' : `${ratio.toFixed(2)}×`;
  const rate = result.throughput ? formatNumber(result.throughput.median) : '';
  return `| ${name} | ${formatNumber(l.p50)} | ${formatNumber(l.p99)} | ${formatNumber(l.max)} | ${formatNumber(l.p50Spread.min)}–${formatNumber(l.p50Spread.max)} | ${l.samples} | ${rate} | ${ratioCell} |`;
}

function anchorOf(group: GroupResult, result: BenchmarkResult): BenchmarkResult | undefined {
  const anchorName = result.benchmark.anchor;
  if (anchorName === undefined) {
    return group.results.some((r) => r.benchmark.anchor === result.benchmark.name) ? result : undefined;
  }
  return group.results.find((r) => r.benchmark.name === anchorName);
}

/** The markdown of one group: heading, run line, table, notes. */
export function renderGroup(group: GroupResult, info: RunInfo): string {
  const isLatency = group.results.some((r) => r.latency);
  const lines = [`### ${group.group}`, ''];
  const versions = Object.entries(group.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const load = `load ${info.machine.loadBefore.toFixed(2)}→${(info.machine.loadAfter ?? 0).toFixed(2)}`;
  lines.push(
    `_${info.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${info.command}\`, ${info.runs} runs (${info.mode}), ${load}${versions ? `; ${versions}` : ''}._`,
    '',
  );
  if (isLatency) {
    lines.push(
      '| benchmark | p50 ms | p99 ms | max ms | p50 spread over runs | samples | events/s | p50 × anchor |',
      '|---|--:|--:|--:|--:|--:|--:|--:|',
    );
  } else {
    lines.push(
      '| benchmark | events/s (median) | ns/event | events/s min–max | × anchor | target |',
      '|---|--:|--:|--:|--:|---|',
    );
  }
  for (const result of group.results) {
    const anchor = anchorOf(group, result);
    lines.push(isLatency ? latencyRow(result, anchor) : throughputRow(result, anchor));
  }
  const notes = group.results.filter((r) => r.benchmark.note);
  if (notes.length > 0) lines.push('');
  for (const r of notes)
    lines.push(`- \`${r.benchmark.name}\`: ${r.benchmark.note} (${r.iterations} events per run)`);
  return lines.join('\n');
}

/** The machine block printed above the tables. */
export function renderMachine(machine: Machine): string {
  return [
    `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB; ${machine.platform}`,
    `- Node ${machine.node}`,
  ].join('\n');
}

export function renderRun(groups: readonly GroupResult[], info: RunInfo): string {
  return [renderMachine(info.machine), '', ...groups.map((g) => `${renderGroup(g, info)}\n`)].join('\n');
}
