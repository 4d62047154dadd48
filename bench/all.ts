/** Every registered benchmark, in report order. Broker benchmarks come from `brokers/index.ts`. */
import { brokerBenchmarks } from './brokers/index.ts';
import type { Benchmark } from './registry.ts';
import { createBenchmarks } from './scenarios/create/create.ts';
import { dispatchBenchmarks } from './scenarios/dispatch/index.ts';
import { latencyBenchmarks } from './scenarios/latency/latency.ts';
import { memoryBenchmarks } from './scenarios/memory/backlog.ts';
import { appendBenchmarks } from './scenarios/stores/append.ts';
import { relayBenchmarks } from './scenarios/stores/relay.ts';

export const allBenchmarks: readonly Benchmark[] = [
  ...dispatchBenchmarks,
  ...createBenchmarks,
  ...appendBenchmarks,
  ...relayBenchmarks,
  ...latencyBenchmarks,
  ...memoryBenchmarks,
  ...brokerBenchmarks,
];
