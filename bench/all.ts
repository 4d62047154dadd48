/** Every registered benchmark, in report order. Broker benchmarks come from `brokers/index.ts`. */
import { brokerBenchmarks } from './brokers/index.ts';
import type { Benchmark } from './registry.ts';
import { dispatchBenchmarks } from './scenarios/dispatch/index.ts';

export const allBenchmarks: readonly Benchmark[] = [...dispatchBenchmarks, ...brokerBenchmarks];
