/**
 * The shared transport contract against librdkafka's mock cluster (3 brokers). One file on
 * purpose: mock group joins take ~3 s each, so the Kafka contract runs once, not per setup.
 * Each transport gets its own socket factory so crash and dropConnection hit one member only.
 */
import type { Transport } from '@tidings/core';
import { runTransportContract } from '@tidings/testing';
import * as sdk from 'cloudevents';
import { logLevel } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { type MockKafkaCluster, startMockKafka } from '../test/mock-kafka.ts';
import { createKafkaRawWire } from '../test/raw-wire.ts';
import { createSocketControl, type SocketControl } from '../test/socket-control.ts';
import { createKafkaTransport, kafkaFeatures } from './kafka-transport.ts';

let cluster: MockKafkaCluster;
const raw = createKafkaRawWire(() => cluster.brokers);
beforeAll(async () => {
  cluster = await startMockKafka({ brokers: 3 });
});
afterAll(async () => {
  await raw.close();
  await cluster?.close();
});

const controls = new WeakMap<Transport, SocketControl>();

runTransportContract({
  name: 'kafka (librdkafka mock cluster, 3 brokers)',
  features: kafkaFeatures,
  create: async () => {
    const control = createSocketControl();
    const transport = await createKafkaTransport({
      connection: cluster.brokers.join(','),
      sessionTimeoutMs: 3_000,
      heartbeatIntervalMs: 500,
      onError: () => undefined,
      kafka: { logLevel: logLevel.NOTHING, socketFactory: control.socketFactory },
    });
    controls.set(transport, control);
    return transport;
  },
  crash: async (transport) => controls.get(transport)?.crash(),
  dropConnection: async (transport) => controls.get(transport)?.drop(),
  interop: { sdk, raw },
  // Joins and rebalances on the mock take seconds; a crashed member's session must expire.
  timeoutMs: 30_000,
});
