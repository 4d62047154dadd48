/**
 * @tidings/aws behaviour beyond the shared contract, against fauxqs: the maxDeliveries
 * backstop (SQS's redrive policy, never the transport) and redrive, the rejection's delay as
 * the visibility change, a foreign producer's event, FIFO deduplication, the SNS size limit,
 * idempotent provisioning and option checks.
 */
import { randomUUID } from 'node:crypto';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import {
  ConfigurationError,
  DoNotRetry,
  fromTransportMessage,
  type ReceivedMessage,
  RetryLater,
  type TransportMessage,
} from '@tidings/core';
import { transportErrorHeader } from '@tidings/core/spi';
import { waitUntil } from '@tidings/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestClients,
  type FauxqsPeer,
  startFauxqsPeer,
  type TestClients,
} from '../test/fauxqs-peer.ts';
import type { SnsSqsTransportOptions } from './options.ts';
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

async function make(extra: Partial<SnsSqsTransportOptions> = {}) {
  const clients = createTestClients(peer.endpoint);
  const transport = await createSnsSqsTransport({
    connection: { sns: clients.sns, sqs: clients.sqs },
    visibilityTimeoutSeconds: 2,
    waitTimeSeconds: 1,
    maxDeliveries: 2,
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
  it('leaves dead-lettering to SQS past maxDeliveries (the backstop), and redrives back to the group', async () => {
    const { topic, group } = names();
    const { transport, clients } = await make();
    let healthy = false;
    const seen: number[] = [];
    const handled: ReceivedMessage[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => {
      seen.push(m.deliveryCount);
      // Even a DoNotRetry is the consumer pipeline's to dead-letter: the transport redelivers.
      if (!healthy) throw new DoNotRetry('mail server down');
      handled.push(m);
    });
    const sent = message(topic);
    await transport.publish([sent]);
    const queues = await transport.provision({ group, topics: [topic] });
    let moved: Message | undefined;
    await waitUntil(async () => {
      const peeked = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.deadLetterQueueUrl,
          MessageAttributeNames: ['All'],
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
        }),
      );
      moved = peeked.Messages?.[0];
      return moved !== undefined;
    }, 'the move to the dead-letter queue');
    expect(seen).toEqual([1, 2]);
    // SQS's move: the message as it was, no reason attribute of the transport's own.
    expect(Object.keys(moved?.MessageAttributes ?? {}).filter((n) => n.includes('dead'))).toEqual([]);

    healthy = true;
    await expect(transport.redriveFromDeadLetterQueue(group)).resolves.toBe(1);
    await waitUntil(() => handled.length === 1, 'the redriven message');
    expect(handled[0]).toMatchObject({ id: sent.id, topic, key: 'k' });
  });

  it("raises the group queue's maxReceiveCount to the request's maxDeliveries, also on an existing queue", async () => {
    const { topic, group } = names();
    const { transport, clients } = await make();
    const countOf = async (queueUrl: string) => {
      const got = await clients.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
      );
      return (JSON.parse(got.Attributes?.RedrivePolicy ?? '{}') as { maxReceiveCount?: unknown })
        .maxReceiveCount;
    };
    // Declared first with the transport's own limit (2), then subscribed with the budget's.
    const { queueUrl } = await transport.provision({ group, topics: [topic] });
    expect(Number(await countOf(queueUrl))).toBe(2);
    const sub = await transport.subscribe({ group, topics: [topic], maxDeliveries: 7 }, async () => {});
    expect(Number(await countOf(queueUrl))).toBe(7);
    await sub.close();
    // SQS allows at most 1000 receives: a larger budget gets the most SQS allows.
    await (
      await transport.subscribe({ group, topics: [topic], maxDeliveries: 1001 }, async () => {})
    ).close();
    expect(Number(await countOf(queueUrl))).toBe(1000);
  });

  it("makes a rejected message visible again after the rejection's delay", async () => {
    const { topic, group } = names();
    const { transport } = await make({ maxDeliveries: 5 });
    const at: number[] = [];
    await transport.subscribe({ group, topics: [topic] }, async () => {
      at.push(Date.now());
      if (at.length === 1) throw new RetryLater('not yet', 1_000);
    });
    await transport.publish([message(topic)]);
    await waitUntil(() => at.length === 2, 'the redelivery');
    expect((at[1] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('keeps a message invisible while its handler runs past the visibility timeout (one extender)', async () => {
    const { topic, group } = names();
    const { transport } = await make({ visibilityTimeoutSeconds: 1 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let seen = 0;
    await transport.subscribe({ group, topics: [topic], concurrency: 2 }, async () => {
      seen++;
      await held;
    });
    try {
      await transport.publish([message(topic)]);
      await waitUntil(() => seen === 1, 'the first delivery');
      // Three visibility timeouts: without the extension the free slot would receive it again.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(seen).toBe(1);
    } finally {
      release();
    }
  });

  it("hands a foreign producer's structured CloudEvent (no tidings attribute) to the handler", async () => {
    const { topic, group } = names();
    const { transport, clients } = await make();
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

  it('hands a message it cannot read to the handler with the reason, so the consumer dead-letters it', async () => {
    const { topic, group } = names();
    const { transport, clients } = await make();
    const handled: ReceivedMessage[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => void handled.push(m));
    const queues = await transport.provision({ group, topics: [topic] });
    const send = (tidings: string, id: string) =>
      clients.sqs.send(
        new SendMessageCommand({
          QueueUrl: queues.queueUrl,
          MessageBody: `body of ${id}`,
          MessageAttributes: {
            tidings: { DataType: 'String', StringValue: tidings },
            'ce-id': { DataType: 'String', StringValue: id },
          },
        }),
      );
    await send('{"v":2,"id":{}}', 'forged-1');
    await send(
      '{"v":1,"id":"offloaded-1","topic":"t","key":"k","headers":{"ce-type":"T"},"body":"ref"}',
      'x',
    );
    await waitUntil(() => handled.length === 2, 'both unreadable messages');
    const byId = new Map(handled.map((m) => [m.id, m]));
    expect(byId.get('forged-1')).toMatchObject({
      key: '',
      headers: { 'ce-id': 'forged-1', [transportErrorHeader]: expect.stringMatching(/lacks v=1/) },
      deliveryCount: 1,
    });
    expect(new TextDecoder().decode(byId.get('forged-1')?.body)).toBe('body of forged-1');
    expect(byId.get('offloaded-1')).toMatchObject({
      topic: 't',
      key: 'k',
      headers: { 'ce-type': 'T', [transportErrorHeader]: expect.stringMatching(/no payloadStore/) },
    });
  });

  it('FIFO drops a second publish of the same message id', async () => {
    const { topic, group } = names();
    const { transport } = await make({ fifo: true });
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
    const { transport } = await make();
    const big = { ...message(topic), body: new Uint8Array(300 * 1024).fill(65) };
    await expect(transport.publish([big])).rejects.toThrow(/over the SNS limit of 262144.*payloadStore/);
  });

  it('provisions idempotently, also when settings changed since', async () => {
    const { topic, group } = names();
    const clients = await (await make()).clients;
    const first = await provisionSnsSqs(clients, { group, topics: [topic] }, { visibilityTimeoutSeconds: 5 });
    const again = await provisionSnsSqs(clients, { group, topics: [topic] }, { visibilityTimeoutSeconds: 9 });
    expect(again.queueUrl).toBe(first.queueUrl);
    expect(again.topicArns.get(topic)).toBe(first.topicArns.get(topic));
  });

  it('refuses options SQS cannot take, naming the option, before any request', async () => {
    const clients = createTestClients(peer.endpoint);
    const connection = { sns: clients.sns, sqs: clients.sqs };
    for (const [options, expected] of [
      [{ visibilityTimeoutSeconds: 0 }, /visibilityTimeoutSeconds is 0/],
      [{ maxDeliveries: 1001 }, /maxDeliveries is 1001: it must be a whole number from 1 to 1000/],
      [{ startFrom: 'earliest' }, /startFrom is "earliest": SQS keeps no history/],
    ] as const) {
      await expect(createSnsSqsTransport({ connection, ...options })).rejects.toThrow(
        expect.objectContaining({ code: ConfigurationError.code, message: expect.stringMatching(expected) }),
      );
    }
    const refused = await createSnsSqsTransport({ connection: 'ftp://u:secret@host' }).catch(String);
    expect(refused).toMatch(/connection is "ftp:\/\/u@host": pass an http\(s\):\/\/ endpoint URL/);
    expect(refused).not.toMatch(/secret/);
    clients.destroy();
  });

  it('takes an endpoint URL as the connection, and fails at creation when nothing answers there', async () => {
    const clientConfig = {
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    };
    const transport = await createSnsSqsTransport({
      connection: peer.endpoint,
      clientConfig,
      waitTimeSeconds: 1,
    });
    const { topic, group } = names();
    const got: string[] = [];
    await transport.subscribe({ group, topics: [topic] }, async (m) => void got.push(m.id));
    const sent = message(topic);
    await transport.publish([sent]);
    await waitUntil(() => got.length === 1, 'the message');
    await transport.close();
    await expect(createSnsSqsTransport({ connection: 'http://127.0.0.1:1', clientConfig })).rejects.toThrow(
      /Cannot reach SQS at http:\/\/127\.0\.0\.1:1/,
    );
  });
});
