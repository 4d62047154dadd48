/**
 * The `tidings-chunks` header is untrusted input: a forged one that names many chunks or
 * points at other messages in the stream is refused with the reason before the consumer
 * loads more than the decode limit: reported to `onError` and handed to the handler with no
 * body and the reason in `tidings-transport-error`, so a consumer dead-letters it, findable.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import {
  createCatalog,
  createConsumer,
  createMemoryDeadLetterSink,
  defineEvent,
  durableHandler,
  type ReceivedMessage,
  type Transport,
} from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
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

async function forgedDeliveries(
  chunkList: (bigSeq: number) => string,
  subscribe?: (transport: Transport, topic: string) => Promise<void>,
): Promise<{
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
  if (subscribe) await subscribe(transport, topic);
  else {
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      calls.push(m);
    });
  }
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
  await waitUntil(
    () => errors.length === 1 && (subscribe !== undefined || calls.length === 1),
    'the refusal',
  );
  return { calls, errors };
}

describe('NATS chunk reassembly', () => {
  it('refuses a 799-byte header naming one foreign 900 KB message a hundred times', async () => {
    const { calls, errors } = await forgedDeliveries((seq) => {
      const list = Array.from({ length: 100 }, () => String(seq)).join(',');
      return list.slice(0, 799).replace(/,?\d*$/, '');
    });
    expect(calls[0]?.body).toHaveLength(0);
    // The original headers are kept beside the reason.
    expect(calls[0]?.headers['ce-type']).toMatch(/^forged-/);
    expect(calls[0]?.headers['tidings-transport-error']).toMatch(
      /chunk list .*names \d+ chunks, more than the 6/,
    );
    expect(String(errors[0])).toMatch(/chunk list .*names \d+ chunks, more than the 6/);
  });

  it('refuses a short header whose entry is another message, not one of its own chunks', async () => {
    const { calls, errors } = await forgedDeliveries((seq) => `${seq},${seq}`);
    expect(calls[0]?.body).toHaveLength(0);
    expect(calls[0]?.headers['tidings-transport-error']).toMatch(/entry 0 .* is not chunk 0 of this message/);
    expect(String(errors[0])).toMatch(/entry 0 .* is not chunk 0 of this message/);
  });

  it("dead-letters a forged message in the consumer's sink, with the transport's reason", async () => {
    const deadLetters = createMemoryDeadLetterSink();
    const handled: unknown[] = [];
    await forgedDeliveries(
      (seq) => `${seq},${seq}`,
      async (transport, topic) => {
        const Forged = defineEvent(topic, { schema: z.object({}) });
        const consumer = createConsumer({
          transport,
          catalog: createCatalog([Forged]),
          deadLetters,
          handlers: [durableHandler(`victim-${suffix}`, Forged, (e) => void handled.push(e))],
        });
        await consumer.start();
        onTestFinished(() => consumer.close());
      },
    );
    await waitUntil(() => deadLetters.records.length === 1, 'the dead letter');
    expect(handled).toEqual([]);
    expect(deadLetters.records[0]).toMatchObject({
      handler: `victim-${suffix}`,
      code: 'TIDINGS_TRANSPORT_REJECTED',
      reason: expect.stringMatching(
        /nats.* refused the message: it cannot be read: .*entry 0 .* is not chunk 0/,
      ),
    });
    expect(deadLetters.records[0]?.message.headers['ce-type']).toBeDefined();
  });
});
