/**
 * The `tidings-chunks` header is untrusted input: a forged one that names many chunks or
 * points at other messages in the stream is refused with the reason (terminated, reported
 * to `onError`, left in the stream), before the consumer loads more than the decode limit,
 * and the handler never sees it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import type { ReceivedMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { createNatsTransport } from './nats-transport.ts';
import { topicSubject } from './subjects.ts';

const servers = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const stream = `TC_NATSCHUNK_${suffix}`;
const subjectPrefix = `tc-natschunk-${suffix}`;

afterAll(async () => {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await jsm.streams.delete(`KV_${stream}_leases`).catch(() => undefined);
  await nc.close();
});

async function forgedDeliveries(chunkList: (bigSeq: number) => string): Promise<{
  calls: ReceivedMessage[];
  errors: unknown[];
}> {
  const errors: unknown[] = [];
  const transport = await createNatsTransport({
    connection: servers,
    stream,
    prefix: subjectPrefix,
    onError: (error) => errors.push(error),
  });
  onTestFinished(() => transport.close());
  const topic = `forged-${randomBytes(4).toString('hex')}`;
  const group = `g-${randomBytes(4).toString('hex')}`;
  const calls: ReceivedMessage[] = [];
  await transport.subscribe({ group, topics: [topic] }, async (m) => {
    calls.push(m);
  });
  const js = jetstream(transport.connection);
  // Someone else's large message in the same stream: 900 KB, one NATS message.
  const big = await js.publish(topicSubject(subjectPrefix, `other-${suffix}`), new Uint8Array(900_000));
  const forged = natsHeaders();
  forged.set('ce-type', topic);
  forged.set('tidings-key', 'k');
  forged.set('tidings-chunks', chunkList(big.seq));
  await js.publish(topicSubject(subjectPrefix, topic), new Uint8Array(0), {
    headers: forged,
    msgID: randomUUID(),
  });
  await waitUntil(() => errors.length === 1, 'the forged message refused');
  return { calls, errors };
}

describe('NATS chunk reassembly', () => {
  it('refuses a 799-byte header naming one foreign 900 KB message a hundred times', async () => {
    const { calls, errors } = await forgedDeliveries((seq) => {
      const list = Array.from({ length: 100 }, () => String(seq)).join(',');
      return list.slice(0, 799).replace(/,?\d*$/, '');
    });
    expect(calls).toEqual([]);
    expect(String(errors[0])).toMatch(/chunk list .*names \d+ chunks, more than the 6/);
  });

  it('refuses a short header whose entry is another message, not one of its own chunks', async () => {
    const { calls, errors } = await forgedDeliveries((seq) => `${seq},${seq}`);
    expect(calls).toEqual([]);
    expect(String(errors[0])).toMatch(/entry 0 .* is not chunk 0 of this message/);
  });
});
