/**
 * NATS-specific behaviour the shared contract does not cover: dead letters with their
 * reason, `Nats-Msg-Id` dedup, `working()` keeping a long handler's message, large bodies
 * through dead-lettering, and one stream shared by two subject prefixes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { DoNotRetry, type ReceivedMessage, type TransportMessage } from '@tidings/core';
import { deadLetterHeaders } from '@tidings/core/spi';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';

import { createNatsTransport } from './nats-transport.ts';
import type { NatsTransportOptions } from './options.ts';
import { deadLetterTopic } from './subjects.ts';

const servers = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const stream = `TC_NATS_${suffix}`;
const subjectPrefix = `tc-nats-${suffix}`;
const unique = (label: string) => `${label}-${randomBytes(4).toString('hex')}`;

afterAll(async () => {
  const nc = await connect({ servers });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
});

async function open(options: Partial<NatsTransportOptions> = {}) {
  const transport = await createNatsTransport({
    servers,
    stream,
    subjectPrefix,
    ackWaitMs: 1000,
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
  it('dead-letters after maxDeliver with the reason and the original id', async () => {
    const transport = await open({ maxDeliver: 3 });
    const topic = unique('dl');
    const group = unique('g');
    const attempts: number[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      attempts.push(m.deliveryCount);
      throw new Error('always fails');
    });
    const dead: ReceivedMessage[] = [];
    await transport.subscribe({ group: unique('dlq'), topics: [deadLetterTopic(group)] }, async (m) => {
      dead.push(m);
    });
    const sent = message(topic, 1);
    await transport.publish([sent]);
    await until(() => dead.length === 1, 'the dead letter');
    expect(attempts).toEqual([1, 2, 3]);
    const letter = dead[0] as ReceivedMessage;
    expect({ id: letter.id, key: letter.key, body: Buffer.from(letter.body).toString() }).toEqual({
      id: sent.id,
      key: sent.key,
      body: '{"n":1}',
    });
    expect(letter.headers[deadLetterHeaders.reason]).toContain('always fails');
    expect(letter.headers[deadLetterHeaders.topic]).toBe(topic);
    expect(letter.headers[deadLetterHeaders.attempts]).toBe('3');
  });

  it('dead-letters a chunked 3 MiB body at once on DoNotRetry, body intact', async () => {
    const transport = await open();
    const topic = unique('big');
    const group = unique('g');
    let calls = 0;
    await transport.subscribe({ group, topics: [topic] }, async () => {
      calls++;
      throw new DoNotRetry('malformed order');
    });
    const dead: ReceivedMessage[] = [];
    await transport.subscribe({ group: unique('dlq'), topics: [deadLetterTopic(group)] }, async (m) => {
      dead.push(m);
    });
    const body = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31 + 7) % 251);
    await transport.publish([message(topic, 1, body)]);
    await until(() => dead.length === 1, 'the dead letter');
    expect(calls).toBe(1);
    expect(Buffer.from((dead[0] as ReceivedMessage).body).equals(Buffer.from(body))).toBe(true);
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
    const second = await open({ subjectPrefix: `${subjectPrefix}-other` });
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
