/**
 * Broker benchmarks (RabbitMQ, NATS, Redis, Kafka, SNS/SQS). Each broker file exports an array
 * of benchmarks made with `defineBenchmark` from `../registry.ts`; add it to this one list.
 */
import type { Benchmark } from '../registry.ts';

export const brokerBenchmarks: readonly Benchmark[] = [];
