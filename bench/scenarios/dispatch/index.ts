/** In-process dispatch benchmarks, 1 and 10 handlers, sync and async, grouped with their peers. */
import type { Benchmark } from '../../registry.ts';
import { emitterBenchmarks } from './emitters.ts';
import { handlerCounts } from './fixture.ts';
import { nestBenchmarks } from './nest.ts';
import { tidingsBenchmarks } from './tidings.ts';

// Anchors first in each group so the table reads anchor, peers, Tidings. Every run is isolated
// in a fresh process: the Tidings bus switches AsyncLocalStorage on, which on Node 20 makes every
// later promise in the process dearer (emittery measured ~1.6× slower after it), and each engine
// should get its own JIT state rather than call sites shaped by the others.
export const dispatchBenchmarks: readonly Benchmark[] = handlerCounts.flatMap((n) => {
  const [nodeEvents, nodeAlternating, ee3, mittBench, emittery] = emitterBenchmarks(n);
  const [tidingsSync, tidingsAlternating, tidingsNoAmbient, tidingsAsync, tidingsConcurrent] =
    tidingsBenchmarks(n);
  const [nestSync, nestAsync] = nestBenchmarks(n);
  return [
    nodeEvents,
    ee3,
    mittBench,
    nestSync,
    tidingsSync,
    nodeAlternating,
    tidingsAlternating,
    emittery,
    nestAsync,
    tidingsAsync,
    tidingsNoAmbient,
    tidingsConcurrent,
  ]
    .filter((b): b is Benchmark => b !== undefined)
    .map((b) => ({ ...b, isolate: true }));
});
