/**
 * @tidings/aws behaviour beyond the shared contract, against fauxqs: dead-lettering with the
 * reason, redrive, undecodable input, FIFO deduplication, the SNS size limit and idempotent
 * provisioning.
 */
import { randomUUID } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  ConfigurationError,
  fromTransportMessage,
  type ReceivedMessage,
  type TransportMessage,
} from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestClients,
  type FauxqsPeer,
  startFauxqsPeer,
  type TestClients,
} from '../test/fauxqs-peer.ts';
import { deadLetterAttribute } from './dead-letter.ts';
import type { DeadLetterRecord, SnsSqsTransportOptions } from './options.ts';
import { provisionSnsSqs } from './provision.ts';
import { createSnsSqsTransport, type SnsSqsTransport } from './sns-sqs-transport.ts';

let peer: FauxqsPeer;
const opened: { transport: SnsSqsTransport; clients: TestClients }[] = [];
beforeAll(async () => {
  peer = await startFauxqsPeer();
});
afterEach(async () => {
  for (const { transport, clients } of opened.splice(0)) {
    await transport.close();
    clients.destroy();
  }
});
afterAll(async () => {
  await peer?.close();
});

function make(extra: Partial<SnsSqsTransportOptions> = {}) {
  const clients = createTestClients(peer.endpoint);
  const transport = createSnsSqsTransport({
    sns: clients.sns,
    sqs: clients.sqs,
    visibilityTimeoutSeconds: 2,
    waitTimeSeconds: 1,
    retry: { baseDelayMs: 10, maxAttempts: 2 },
    onError: () => undefined,
    ...extra,
  });
  opened.push({ transport, clients });
  return { transport, clients };
}

const names = () => ({ topic: `t-${randomUUID()}`, group: `g-${randomUUID().slice(0, 20)}` });
const message = (topic: string, key = 'k'): TransportMessage => ({
  id: randomUUID(),
  topic,
  key,
  headers: { 'ce-type': topic },
  body: new TextEncoder().encode('{"n":1}'),
});

describe('sns-sqs transport (fauxqs)', () => {
  it('dead-letters after the last attempt with the reason, and redrives back to the group', async () => {
    const { topic, group } = names();
    const dead: DeadLetterRecord[] = [];
    const { transport, clients } = make({ onDeadLetter: (record) => void dead.push(record) });
    let healthy = false;
    const handled: ReceivedMessage[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      if (!healthy) throw new Error('mail server down');
      handled.push(m);
    });
    const sent = message(topic);
    await transport.publish([sent]);
    await waitUntil(() => dead.length === 1, 'the dead letter');
    expect(dead[0]).toMatchObject({
      group,
      reason: 'mail server down',
      attempts: 2,
      message: { id: sent.id },
    });

    const queues = await transport.provision({ group, topics: [topic] });
    const peeked = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queues.deadLetterQueueUrl,
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 0,
        WaitTimeSeconds: 1,
      }),
    );
    const reason = JSON.parse(
      peeked.Messages?.[0]?.MessageAttributes?.[deadLetterAttribute]?.StringValue ?? '{}',
    );
    expect(reason).toMatchObject({ group, reason: 'mail server down', attempts: 2 });

    healthy = true;
    await expect(transport.redriveFromDeadLetterQueue(group)).resolves.toBe(1);
    await waitUntil(() => handled.length === 1, 'the redriven message');
    expect(handled[0]).toMatchObject({ id: sent.id, topic, key: 'k' });
  });

  it("hands a foreign producer's structured CloudEvent (no tidings attribute) to the handler", async () => {
    const { topic, group } = names();
    const { transport, clients } = make();
    const handled: ReceivedMessage[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => void handled.push(m));
    const queues = await transport.provision({ group, topics: [topic] });
    const event = { specversion: '1.0', id: 'foreign-1', source: '/elsewhere', type: 'T', data: { a: 1 } };
    await clients.sqs.send(
      new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: JSON.stringify(event) }),
    );
    await waitUntil(() => handled.length === 1, 'the foreign message');
    const got = handled[0] as ReceivedMessage;
    expect(got.id).not.toBe('');
    expect(got.publishedAt).toMatch(/^\d{4}-/);
    const raw = fromTransportMessage(got);
    expect(raw).toMatchObject({ id: 'foreign-1', type: 'T', payload: { a: 1 }, occurredAt: got.publishedAt });
    expect(raw.metadata.timesource).toBe('broker');
  });

  it('FIFO drops a second publish of the same message id', async () => {
    const { topic, group } = names();
    const { transport } = make({ fifo: true });
    const got: string[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => void got.push(m.id));
    const sent = message(topic, 'Order:1');
    const after = message(topic, 'Order:1');
    await transport.publish([sent]);
    await transport.publish([sent, after]);
    await waitUntil(() => got.includes(after.id), 'the message after the duplicate');
    expect(got).toEqual([sent.id, after.id]);
  });

  it('rejects a body over the SNS limit without a payload store, saying what to do', async () => {
    const { topic } = names();
    const { transport } = make();
    const big = { ...message(topic), body: new Uint8Array(300 * 1024).fill(65) };
    await expect(transport.publish([big])).rejects.toThrow(/over the SNS limit of 262144.*payloadStore/);
  });

  it('provisions idempotently, also when settings changed since', async () => {
    const { topic, group } = names();
    const clients = make().clients;
    const first = await provisionSnsSqs(clients, { group, topics: [topic] }, { visibilityTimeoutSeconds: 5 });
    const again = await provisionSnsSqs(clients, { group, topics: [topic] }, { visibilityTimeoutSeconds: 9 });
    expect(again.queueUrl).toBe(first.queueUrl);
    expect(again.topicArns.get(topic)).toBe(first.topicArns.get(topic));
  });

  it('refuses a visibility timeout SQS cannot take', () => {
    const clients = createTestClients(peer.endpoint);
    expect(() => createSnsSqsTransport({ ...clients, visibilityTimeoutSeconds: 0 })).toThrow(
      expect.objectContaining({ code: ConfigurationError.code }),
    );
    clients.destroy();
  });
});
