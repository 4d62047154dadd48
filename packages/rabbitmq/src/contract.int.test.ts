import type { Transport } from '@tidings/core';
import { runTransportContract } from '@tidings/testing';
import amqp, { type ChannelModel } from 'amqplib';
import * as sdk from 'cloudevents';
import { afterAll } from 'vitest';
import { createQueueJanitor } from '../test/queue-janitor.ts';
import { createAmqpRawWire } from '../test/raw-wire.ts';
import { rabbitMqFeatures } from './options.ts';
import { createRabbitMqTransport } from './rabbitmq-transport.ts';

const url = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const exchange = 'tidings-contract';
const janitor = createQueueJanitor(url, exchange);
const raw = createAmqpRawWire(url, exchange);
afterAll(async () => {
  await raw.close();
  await janitor.sweep();
});

/** Test plumbing: each transport's live connection, and a switch that keeps it from reconnecting. */
interface Wiring {
  model: ChannelModel | undefined;
  dead: boolean;
}
const wiring = new WeakMap<Transport, Wiring>();

async function create(extra: { singleActiveConsumer?: boolean } = {}): Promise<Transport> {
  const state: Wiring = { model: undefined, dead: false };
  const transport = await createRabbitMqTransport({
    connection: url,
    prefix: exchange,
    connectTimeoutMs: 5_000,
    // The crash and drop hooks break connections on purpose.
    onError: () => undefined,
    ...extra,
    connect: async (target) => {
      if (state.dead) throw new Error('this process has crashed');
      state.model = await amqp.connect(target);
      return state.model;
    },
  });
  const tracked = janitor.track(transport);
  wiring.set(tracked, state);
  return tracked;
}

function destroySocket(transport: Transport): void {
  const model = wiring.get(transport)?.model as unknown as {
    connection: { stream: { destroy(e: Error): void } };
  };
  // With an error, as a network failure looks: amqplib reacts to the socket's 'error'.
  model.connection.stream.destroy(new Error('simulated network failure'));
}

const hooks = {
  crash: async (transport: Transport) => {
    wiring.get(transport)!.dead = true;
    destroySocket(transport);
  },
  dropConnection: async (transport: Transport) => destroySocket(transport),
};

runTransportContract({
  name: 'rabbitmq (quorum queues)',
  features: rabbitMqFeatures({}),
  create: () => create(),
  ...hooks,
  interop: { sdk, raw },
  timeoutMs: 15_000,
});

runTransportContract({
  name: 'rabbitmq (quorum queues, single active consumer)',
  features: rabbitMqFeatures({ singleActiveConsumer: true }),
  create: () => create({ singleActiveConsumer: true }),
  ...hooks,
  // One member of a group is active at a time; the other stands by.
  balancesGroupMembers: false,
  timeoutMs: 15_000,
});
