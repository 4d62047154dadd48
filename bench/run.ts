/**
 * `npm run bench [-- <name prefix…>] [--runs N] [--quick] [--write] [--list]`
 *
 * Runs the registered benchmarks (all, or those whose name starts with a prefix, plus their
 * anchors), prints a markdown report, and with `--write` updates docs/benchmarks.md.
 * Benchmarks never run in `npm test`; `bench/bench.int.test.ts` only smoke-runs each once.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allBenchmarks } from './all.ts';
import { describeMachine, finishMachine } from './environment.ts';
import { checkRegistry, selectBenchmarks } from './registry.ts';
import { renderRun } from './report.ts';
import { runBenchmarks } from './runner.ts';
import { writeDoc } from './write-doc.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
  },
});

const problems = checkRegistry(allBenchmarks);
if (problems.length > 0) {
  console.error(`The benchmark registry is inconsistent:\n- ${problems.join('\n- ')}`);
  process.exit(2);
}

const selected = selectBenchmarks(allBenchmarks, positionals);
if (values.list) {
  for (const b of selected) console.log(`${b.name}\t${b.group}${b.anchor ? `\tanchor ${b.anchor}` : ''}`);
  process.exit(0);
}
if (selected.length === 0) {
  console.error(`No benchmark name starts with ${positionals.join(' or ')}; try --list to see the names.`);
  process.exit(2);
}
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`--runs must be a positive integer, got ${JSON.stringify(values.runs)}.`);
  process.exit(2);
}

const mode = values.quick ? 'quick' : 'full';
const machine = describeMachine();
const startedAt = new Date();
const groups = await runBenchmarks(selected, { runs, mode, log: (line) => console.error(line) });
finishMachine(machine);

const args = process.argv.slice(2).filter((a) => a !== '--write');
const info = {
  command: ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' '),
  runs,
  mode,
  startedAt,
  machine,
};
console.log(renderRun(groups, info));
if (values.write) {
  const path = fileURLToPath(new URL('../docs/benchmarks.md', import.meta.url));
  writeDoc(path, groups, info);
  console.error(`updated ${path}`);
}
