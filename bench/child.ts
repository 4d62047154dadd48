/**
 * One isolated benchmark run in its own process: `child.ts <name> <iterations> <mode>` sets the
 * benchmark up, warms it up once, times one run, tears down, and prints the run as JSON.
 */
import { allBenchmarks } from './all.ts';
import { measureOnce } from './measure.ts';

const [name, iterationsArg, modeArg] = process.argv.slice(2);
const benchmark = allBenchmarks.find((b) => b.name === name);
if (!benchmark)
  throw new Error(`No benchmark is named ${JSON.stringify(name)}; run npm run bench -- --list.`);
const iterations = Number(iterationsArg);
const state = await benchmark.setup({ iterations, mode: modeArg === 'quick' ? 'quick' : 'full' });
await measureOnce(benchmark, state, iterations);
const measured = await measureOnce(benchmark, state, iterations);
const versions = (await benchmark.versions?.(state)) ?? {};
await benchmark.teardown?.(state);
process.stdout.write(`${JSON.stringify({ ...measured, versions })}\n`);
