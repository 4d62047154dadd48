/**
 * The shared transport contract against the NATS JetStream server on 127.0.0.1:4222. One
 * stream per run (unique name and subject prefix), deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { runTransportContract } from '@tidings/testing';
import * as sdk from 'cloudevents';
import { afterAll } from 'vitest';
import { createNatsRawWire } from '../test/raw-wire.ts';
import { createNatsTransport, type NatsTransport, natsFeatures } from './nats-transport.ts';

const servers = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const stream = `TC_CONTRACT_${suffix}`;
const subjectPrefix = `tc-contract-${suffix}`;

const raw = createNatsRawWire(servers, subjectPrefix);

afterAll(async () => {
  await raw.close();
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${stream}_leases`).catch(() => undefined);
  await nc.close();
});

runTransportContract({
  name: 'nats (JetStream)',
  features: natsFeatures,
  // A short ack wait and lease TTL so a crashed member's messages and lanes return well
  // within the suite's timeout.
  create: () =>
    createNatsTransport({
      connection: servers,
      stream,
      prefix: subjectPrefix,
      ackWaitMs: 2000,
      leaseTtlMs: 3000,
    }),
  // close() without drain: nothing held is acked, the socket goes away, no reconnect.
  crash: async (transport) => {
    await (transport as NatsTransport).connection.close();
  },
  dropConnection: async (transport) => {
    await (transport as NatsTransport).connection.reconnect();
  },
  interop: { sdk, raw },
});
