/**
 * The shared transport contract against fauxqs, for a standard and a FIFO setup. Each
 * transport gets its own SDK clients (like a separate process) so crash and dropConnection
 * act on one member only. Bodies over the SNS limit are offloaded to fauxqs's S3.
 */
import type { Transport } from '@tidings/core';
import { runTransportContract } from '@tidings/testing';
import * as sdk from 'cloudevents';
import { afterAll, beforeAll } from 'vitest';
import {
  createTestClients,
  type FauxqsPeer,
  startFauxqsPeer,
  type TestClients,
} from '../test/fauxqs-peer.ts';
import { createSnsSqsRawWire } from '../test/raw-wire.ts';
import { createS3PayloadStore } from './s3-payload-store.ts';
import { createSnsSqsTransport, snsSqsFeatures } from './sns-sqs-transport.ts';

let peer: FauxqsPeer;
beforeAll(async () => {
  peer = await startFauxqsPeer();
});
afterAll(async () => {
  await peer?.close();
});

const clientsOf = new WeakMap<Transport, TestClients>();

for (const fifo of [false, true]) {
  const raw = createSnsSqsRawWire(() => peer.endpoint, fifo);
  afterAll(() => raw.close());
  runTransportContract({
    name: fifo ? 'sns-sqs FIFO (fauxqs)' : 'sns-sqs standard (fauxqs)',
    features: snsSqsFeatures(fifo),
    create: async () => {
      const clients = createTestClients(peer.endpoint);
      const transport = await createSnsSqsTransport({
        connection: { sns: clients.sns, sqs: clients.sqs },
        fifo,
        // Short enough that a crashed member's message comes back within the suite's wait.
        visibilityTimeoutSeconds: 2,
        waitTimeSeconds: 1,
        // The contract sends a 1 MiB body; SNS (and fauxqs) cap messages at 256 KiB, so it goes to S3.
        payloadStore: createS3PayloadStore({ s3: peer.s3, bucket: peer.bucket }),
        onError: () => undefined,
      });
      const close = transport.close.bind(transport);
      const wrapped = Object.assign(transport, {
        close: async () => {
          await close();
          clients.destroy();
        },
      });
      clientsOf.set(wrapped, clients);
      return wrapped;
    },
    crash: async (transport) => clientsOf.get(transport)?.crash(),
    dropConnection: async (transport) => clientsOf.get(transport)?.drop(),
    interop: { sdk, raw },
    timeoutMs: 15_000,
  });
}
