import { randomUUID } from 'node:crypto';
import { ClosedError, ConfigurationError } from '@tidings/core';
import { type RawWire, type RawWireMessage, runTransportContract } from '@tidings/testing';
import * as sdk from 'cloudevents';
import { describe, expect, it } from 'vitest';
import {
  createMemoryBroker,
  createMemoryTransport,
  type MemoryTransport,
  memoryTransportFeatures,
} from './memory-transport.ts';

// One broker for the file: tests use unique topics and groups, so they do not meet.
const broker = createMemoryBroker();

// The broker's own client with nothing of the codec in between: its headers are core's
// form, which is the layout of the SDK's HTTP binding.
const rawClient = createMemoryTransport({ broker });
const raw: RawWire = {
  binding: 'HTTP',
  send: (topic, message) => rawClient.publish([{ id: randomUUID(), topic, ...message }]),
  async read(topic) {
    const messages: RawWireMessage[] = [];
    const subscription = await rawClient.subscribe(
      { group: `raw-${randomUUID()}`, topics: [topic] },
      async (m) => {
        messages.push({ headers: m.headers, body: m.body, key: m.key });
      },
    );
    return { messages, close: () => subscription.close() };
  },
};

runTransportContract({
  name: 'memory',
  features: memoryTransportFeatures,
  create: async () => createMemoryTransport({ broker }),
  crash: async (transport) => (transport as MemoryTransport).crash(),
  timeoutMs: 5_000,
  interop: { sdk, raw },
});

describe('memory transport', () => {
  it('refuses a subscription that cannot work, saying why', async () => {
    const transport = createMemoryTransport();
    await expect(
      transport.subscribe({ group: 'g', topics: ['t'], concurrency: 0 }, async () => {}),
    ).rejects.toSatisfy((e: unknown) => ConfigurationError.is(e) && /concurrency/.test(String(e)));
    await expect(transport.subscribe({ group: 'g', topics: [] }, async () => {})).rejects.toSatisfy(
      (e: unknown) => ConfigurationError.is(e),
    );
    await transport.close();
    await expect(transport.subscribe({ group: 'g', topics: ['t'] }, async () => {})).rejects.toSatisfy(
      (e: unknown) => ClosedError.is(e),
    );
  });

  it('keeps transports on private brokers apart', async () => {
    const a = createMemoryTransport();
    const b = createMemoryTransport();
    const seen: string[] = [];
    let delivered!: () => void;
    const second = new Promise<void>((resolve) => (delivered = resolve));
    await b.subscribe({ group: 'g', topics: ['t'] }, async (m) => {
      seen.push(m.id);
      if (m.id === '2') delivered();
    });
    await a.subscribe({ group: 'g', topics: ['t'] }, async () => {});
    await a.publish([{ id: '1', topic: 't', key: 'k', headers: {}, body: new Uint8Array() }]);
    await b.publish([{ id: '2', topic: 't', key: 'k', headers: {}, body: new Uint8Array() }]);
    await second;
    await b.close();
    await a.close();
    expect(seen).toEqual(['2']);
  });
});
