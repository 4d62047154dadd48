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

  it('drains a backlog of 5,000 over 50 keys with rejections: each once, in order per key, across two members', async () => {
    // The dispatcher stops scanning once every slot is taken and requeues at the head:
    // this drives both paths (held-back keys ahead of the rest, rejected entries going back).
    const broker = createMemoryBroker();
    const a = createMemoryTransport({ broker });
    const b = createMemoryTransport({ broker });
    const handled = new Map<string, number[]>();
    let successes = 0;
    let rejections = 0;
    let finished!: () => void;
    const all = new Promise<void>((resolve) => (finished = resolve));
    const handler = async (m: { key: string; body: Uint8Array; deliveryCount: number }) => {
      const n = Number(new TextDecoder().decode(m.body));
      // Every 7th message fails its first delivery; a deterministic share keeps the test exact.
      if (n % 7 === 3 && m.deliveryCount === 1) {
        rejections++;
        throw Object.assign(new Error('not yet'), { retryDelayMs: 0 });
      }
      await Promise.resolve();
      handled.set(m.key, [...(handled.get(m.key) ?? []), n]);
      if (++successes === 5_000) finished();
    };
    await a.subscribe({ group: 'g', topics: ['t'], concurrency: 8 }, handler);
    await b.subscribe({ group: 'g', topics: ['t'], concurrency: 3 }, handler);
    const encoder = new TextEncoder();
    await a.publish(
      Array.from({ length: 5_000 }, (_, n) => ({
        id: `m-${n}`,
        topic: 't',
        key: `k-${n % 50}`,
        headers: {},
        body: encoder.encode(String(n)),
      })),
    );
    await all;
    expect(rejections).toBe(Array.from({ length: 5_000 }, (_, n) => n).filter((n) => n % 7 === 3).length);
    expect(handled.size).toBe(50);
    for (const [key, list] of handled) {
      const expected = Array.from({ length: 100 }, (_, i) => i * 50 + Number(key.slice(2)));
      expect(list).toEqual(expected);
    }
    await a.close();
    await b.close();
  });
});
