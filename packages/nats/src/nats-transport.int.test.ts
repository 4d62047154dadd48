/**
 * NATS-specific behaviour the shared contract does not cover: in-place retries up to the
 * `maxDeliveries` backstop (no dead-letter copy), lanes shared between members and handed
 * over on close, foreign producers on the plain subject, `Nats-Msg-Id` dedup, `working()`
 * keeping a long handler's message, and one stream shared by two prefixes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import { DoNotRetry, TransportError, type TransportMessage } from '@tidings/core';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createNatsTransport } from './nats-transport.ts';
import type { NatsTransportOptions } from './options.ts';

const servers = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const stream = `TC_NATS_${suffix}`;
const subjectPrefix = `tc-nats-${suffix}`;
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${stream}_leases`).catch(() => undefined);
  await nc.close();
});

async function open(options: Partial<NatsTransportOptions> = {}) {
  const transport = await createNatsTransport({
    connection: servers,
    stream,
    prefix: subjectPrefix,
    ackWaitMs: 1000,
    leaseTtlMs: 3000,
    ...options,
  });
  onTestFinished(() => transport.close());
  return transport;
}

function message(topic: string, n: number, body: Uint8Array = Buffer.from(`{"n":${n}}`)): TransportMessage {
  return { id: randomUUID(), topic, key: `k-${n}`, headers: { 'ce-type': topic }, body };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('NATS transport', () => {
  it('retries in place with counted attempts, and at the maxDeliveries backstop terminates and reports, copying nothing', async () => {
    const errors: unknown[] = [];
    const transport = await open({ maxDeliveries: 3, onError: (error) => errors.push(error) });
    const topic = unique('backstop');
    const attempts: number[] = [];
    await transport.subscribe({ group: unique('g'), topics: [topic] }, async (m) => {
      attempts.push(m.deliveryCount);
      throw Object.assign(new Error('always fails'), { retryDelayMs: 10 });
    });
    const sent = message(topic, 1);
    await transport.publish([sent]);
    await until(() => errors.length === 1, 'the report at the backstop');
    expect(attempts).toEqual([1, 2, 3]);
    expect(errors[0]).toBeInstanceOf(TransportError);
    expect(String(errors[0])).toMatch(/maxDeliveries reached after 3 attempt\(s\), last: always fails/);
    // Nothing was published beside the original: the stream holds it alone, under its lane.
    const jsm = await jetstreamManager(transport.connection);
    const info = await jsm.streams.info(stream, { subjects_filter: `${subjectPrefix}.${topic}.>` });
    expect(Object.values(info.state.subjects ?? {})).toEqual([1]);
  });

  it('terminates and reports a chunked 3 MiB body on DoNotRetry from a bare handler, after one call', async () => {
    const errors: unknown[] = [];
    const transport = await open({ onError: (error) => errors.push(error) });
    const topic = unique('big');
    const bodies: Uint8Array[] = [];
    await transport.subscribe({ group: unique('g'), topics: [topic] }, async (m) => {
      bodies.push(m.body);
      throw new DoNotRetry('malformed order');
    });
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31 + 7) % 251);
    await transport.publish([message(topic, 1, body)]);
    await until(() => errors.length === 1, 'the report');
    expect(bodies).toHaveLength(1);
    expect(Buffer.from(bodies[0] as Uint8Array).equals(Buffer.from(body))).toBe(true);
    expect(String(errors[0])).toMatch(
      /the handler refused to retry after 1 attempt\(s\), last: malformed order/,
    );
  });

  it('shares the lanes between members and hands them all over when one closes', async () => {
    const [a, b] = [await open({ partitions: 4 }), await open({ partitions: 4 })];
    const topic = unique('lanes');
    const group = unique('g');
    const byMember: Record<string, Set<string>> = { a: new Set(), b: new Set() };
    const subscriptionA = await a.subscribe({ group, topics: [topic] }, async (m) => {
      byMember.a?.add(m.key);
    });
    await b.subscribe({ group, topics: [topic] }, async (m) => {
      byMember.b?.add(m.key);
    });
    const keys = Array.from({ length: 40 }, (_, n) => `Order:${n}`);
    const first = keys.map((key, n) => ({ ...message(topic, n), key }));
    await a.publish(first);
    await until(() => (byMember.a?.size ?? 0) + (byMember.b?.size ?? 0) === keys.length, 'the first round');
    // Two lanes each: no key reached both members.
    expect(byMember.a?.size).toBeGreaterThan(0);
    expect(byMember.b?.size).toBeGreaterThan(0);
    expect([...(byMember.a ?? [])].filter((key) => byMember.b?.has(key))).toEqual([]);
    await subscriptionA.close();
    byMember.b?.clear();
    await b.publish(keys.map((key, n) => ({ ...message(topic, n), key })));
    await until(() => byMember.b?.size === keys.length, 'every key at the remaining member');
  });

  it('counts the deliveries of members that died holding a message, up to the backstop', async () => {
    const errors: unknown[] = [];
    const settings = { partitions: 1, maxDeliveries: 2, onError: (error: unknown) => errors.push(error) };
    const topic = unique('poison');
    const group = unique('g');
    const seen: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A message whose handler does not return: each member that takes it dies holding it.
    const hang = async (m: { deliveryCount: number }) => {
      seen.push(m.deliveryCount);
      await released;
    };
    try {
      const first = await open(settings);
      await first.subscribe({ group, topics: [topic] }, hang);
      await first.publish([message(topic, 1)]);
      await until(() => seen.length === 1, 'the first delivery');
      await first.connection.close();
      const second = await open(settings);
      await second.subscribe({ group, topics: [topic] }, hang);
      await until(() => seen.length === 2, 'the delivery after the first takeover');
      await second.connection.close();
      const third = await open(settings);
      await third.subscribe({ group, topics: [topic] }, hang);
      await until(
        () => errors.some((e) => /delivered 3 times without an ack/.test(String(e))),
        'the backstop',
      );
      // Counted across the consumers each takeover recreated; the third member never ran it.
      expect(seen).toEqual([1, 2]);
    } finally {
      release();
    }
  });

  it("consumes a foreign producer's plain-subject messages too", async () => {
    const transport = await open();
    const topic = unique('foreign');
    const got: string[] = [];
    await transport.subscribe({ group: unique('g'), topics: [topic] }, async (m) => {
      got.push(m.id);
    });
    const js = jetstream(transport.connection);
    const h = natsHeaders();
    h.set('ce-id', 'foreign-1');
    await js.publish(`${subjectPrefix}.${topic}`, Buffer.from('{}'), { headers: h });
    await until(() => got.length === 1, 'the foreign message');
    expect(got).toEqual(['foreign-1']);
  });

  it('stores a message id once within the duplicate window', async () => {
    const transport = await open();
    const topic = unique('dedup');
    const received: string[] = [];
    await transport.subscribe({ group: unique('g'), topics: [topic] }, async (m) => {
      received.push(m.id);
    });
    const sent = message(topic, 1);
    await transport.publish([sent]);
    await transport.publish([sent]);
    const marker = message(topic, 2);
    await transport.publish([marker]);
    // Per-subject order within one consumer: once the marker arrived, a duplicate would have too.
    await until(() => received.includes(marker.id), 'the marker');
    expect(received).toEqual([sent.id, marker.id]);
  });

  it('keeps a handler that outlives ackWait from being redelivered (working())', async () => {
    const [a, b] = [await open(), await open()];
    const topic = unique('long');
    const group = unique('g');
    const seen: string[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handler = (who: string) => async () => {
      seen.push(who);
      await released;
    };
    await a.subscribe({ group, topics: [topic] }, handler('a'));
    await b.subscribe({ group, topics: [topic] }, handler('b'));
    await a.publish([message(topic, 1)]);
    await until(() => seen.length === 1, 'the first delivery');
    // Proving an absence needs time to pass: 2.5 ack waits of 1 s while the handler runs.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    release();
    expect(seen).toHaveLength(1);
  });

  it('shares one stream between two subject prefixes', async () => {
    const first = await open();
    const second = await open({ prefix: `${subjectPrefix}-other` });
    const topic = unique('shared');
    const got: string[] = [];
    await second.subscribe({ group: unique('g'), topics: [topic] }, async (m) => {
      got.push(m.id);
    });
    const sent = message(topic, 1);
    await second.publish([sent]);
    await first.publish([message(topic, 2)]);
    await until(() => got.length === 1, 'the message under the second prefix');
    expect(got).toEqual([sent.id]);
    const info = await (await jetstreamManager(first.connection)).streams.info(stream);
    expect(info.config.subjects).toEqual([`${subjectPrefix}.>`, `${subjectPrefix}-other.>`]);
  });
});
