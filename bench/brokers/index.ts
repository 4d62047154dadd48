/**
 * Broker benchmarks (RabbitMQ, NATS, Redis, Kafka, SNS/SQS). Each broker file exports an array
 * of benchmarks made with `defineBenchmark` from `../registry.ts`; add it to this one list.
 *
 * Per broker: relay throughput (outbox backlog → broker), consume throughput (broker backlog →
 * handler) and latency at a steady rate, each against the raw client measured in the same run.
 * Kafka runs on librdkafka's mock cluster and SNS/SQS on the fauxqs emulator: their numbers say
 * what the client path costs, not what the real services do. Results: `./RESULTS.md`.
 */
import type { Benchmark } from '../registry.ts';
import { consumeBenchmarks } from './consume.ts';
import { latencyBenchmarks } from './latency.ts';
import type { BrokerPeer } from './peer.ts';
import { kafkaPeer } from './peers/kafka.ts';
import { natsPeer } from './peers/nats.ts';
import { rabbitMqPeer } from './peers/rabbitmq.ts';
import { redisPeer } from './peers/redis.ts';
import { snsSqsPeer } from './peers/sns-sqs.ts';
import { relayBenchmarks } from './relay.ts';

const peers: readonly BrokerPeer[] = [rabbitMqPeer, natsPeer, redisPeer, kafkaPeer, snsSqsPeer];

export const brokerBenchmarks: readonly Benchmark[] = peers.flatMap((peer) => [
  ...relayBenchmarks(peer),
  ...consumeBenchmarks(peer),
  ...latencyBenchmarks(peer),
]);
