/**
 * The `tidings-chunks` header is untrusted input: a forged one that names many chunks or
 * points at other messages in the stream is dead-lettered with the reason, before the
 * consumer loads more than the decode limit, and the handler never sees it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders } from '@nats-io/transport-node';
import type { ReceivedMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { deadLetterHeaders } from './dead-letter.ts';
import { createNatsTransport } from './nats-transport.ts';
import { deadLetterTopic, topicSubject } from './subjects.ts';

const servers = 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const stream = `TC_NATSCHUNK_${suffix}`;
const subjectPrefix = `tc-natschunk-${suffix}`;

afterAll(async () => {
  const nc = await connect({ servers });
  await (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined);
  await nc.close();
});

async function forgedDeliveries(chunkList: (bigSeq: number) => string): Promise<{
  calls: ReceivedMessage[];
  dead: ReceivedMessage[];
}> {
  const transport = await createNatsTransport({ servers, stream, subjectPrefix });
  onTestFinished(() => transport.close());
  const topic = `forged-${randomBytes(4).toString('hex')}`;
  const group = `g-${randomBytes(4).toString('hex')}`;
  const calls: ReceivedMessage[] = [];
  const dead: ReceivedMessage[] = [];
  await transport.subscribe({ group, topics: [topic] }, async (m) => {
    calls.push(m);
  });
  await transport.subscribe({ group: `${group}-dlq`, topics: [deadLetterTopic(group)] }, async (m) => {
    dead.push(m);
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
  await waitUntil(() => dead.length === 1, 'the forged message dead-lettered');
  return { calls, dead };
}

describe('NATS chunk reassembly', () => {
  it('refuses a 799-byte header naming one foreign 900 KB message a hundred times', async () => {
    const { calls, dead } = await forgedDeliveries((seq) => {
      const list = Array.from({ length: 100 }, () => String(seq)).join(',');
      return list.slice(0, 799).replace(/,?\d*$/, '');
    });
    expect(calls).toEqual([]);
    expect(dead[0]?.headers[deadLetterHeaders.reason]).toMatch(
      /chunk list .*names \d+ chunks, more than the 6/,
    );
  });

  it('refuses a short header whose entry is another message, not one of its own chunks', async () => {
    const { calls, dead } = await forgedDeliveries((seq) => `${seq},${seq}`);
    expect(calls).toEqual([]);
    expect(dead[0]?.headers[deadLetterHeaders.reason]).toMatch(/entry 0 .* is not chunk 0 of this message/);
  });
});
