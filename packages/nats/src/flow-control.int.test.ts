/**
 * A member pulls only for free slots (per lane) and keeps every message it holds alive:
 * with a backlog far larger than the concurrency, slow handlers and a short ackWait, no
 * message that never failed is redelivered or given up, and the handler runs exactly once
 * per message, never more than `concurrency` at a time.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createNatsTransport } from './nats-transport.ts';
import { durableName, laneDurableName } from './subjects.ts';

const servers = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const stream = `TC_NATSFLOW_${suffix}`;
const subjectPrefix = `tc-natsflow-${suffix}`;

afterAll(async () => {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${stream}_leases`).catch(() => undefined);
  await nc.close();
});

describe('NATS pulls only for free slots', () => {
  it('runs a backlog of 400 through 4 slow slots within a 1 s ackWait without redelivery', async () => {
    const errors: unknown[] = [];
    const transport = await createNatsTransport({
      connection: servers,
      stream,
      prefix: subjectPrefix,
      ackWaitMs: 1000,
      maxDeliveries: 2,
      onError: (error) => errors.push(error),
    });
    onTestFinished(() => transport.close());
    const topic = `flow-${randomBytes(4).toString('hex')}`;
    const group = `g-${randomBytes(4).toString('hex')}`;
    const messages: TransportMessage[] = Array.from({ length: 400 }, (_, n) => ({
      id: randomUUID(),
      topic,
      key: `k-${n}`,
      headers: { 'ce-type': topic },
      body: Buffer.from(`{"n":${n}}`),
    }));
    const calls: ReceivedMessage[] = [];
    let running = 0;
    let mostRunning = 0;
    // Subscribe before publishing so the backlog piles up against a live member.
    await transport.subscribe({ group, topics: [topic], concurrency: 4 }, async (m) => {
      calls.push(m);
      running += 1;
      mostRunning = Math.max(mostRunning, running);
      // A slow handler: 400 × 20 ms over 4 slots is 2 s, twice the ackWait.
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
    });
    await transport.publish(messages);
    await waitUntil(() => new Set(calls.map((m) => m.id)).size === messages.length, 'every message handled');
    // Once the broker holds no unacked message, nothing can come back by ackWait.
    const nc = await connect({ servers });
    onTestFinished(() => nc.close());
    const jsm = await jetstreamManager(nc);
    const names = [
      durableName(group, topic),
      ...Array.from({ length: 8 }, (_, n) => laneDurableName(group, topic, n)),
    ];
    const consumers = () => Promise.all(names.map((name) => jsm.consumers.info(stream, name)));
    await waitUntil(
      async () => (await consumers()).every((info) => info.num_ack_pending === 0),
      'every message acked',
    );
    expect((await consumers()).map((info) => info.num_redelivered)).toEqual(names.map(() => 0));
    expect(errors).toEqual([]);
    expect(calls.filter((m) => m.deliveryCount > 1).map((m) => m.id)).toEqual([]);
    expect(calls).toHaveLength(messages.length);
    expect(mostRunning).toBeLessThanOrEqual(4);
  });
});
