/**
 * SNS/SQS session on the fauxqs emulator, started in this process per session and stopped on
 * close: SNS topics fanned out to SQS queues with raw message delivery, PublishBatch of 10
 * with every call in flight, ReceiveMessage of 10 and DeleteMessageBatch. An emulator that
 * shares this process's CPU: its numbers rank the client paths, not AWS's service.
 */
import { readFileSync } from 'node:fs';
import { PublishBatchCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  DeleteMessageBatchCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSnsSqsTransport, provisionSnsSqs, provisionTopic } from '@tidings/aws';
import { startFauxqs } from 'fauxqs';
import { chunk, topic, uniqueId } from '../fixture.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from '../peer.ts';

/** Messages in flight per consumer, raw and Tidings alike (the consumer's `concurrency`). */
const concurrency = 64;

function fauxqsVersion(): string {
  const url = new URL('../../../node_modules/fauxqs/package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

async function openSession(): Promise<BrokerSession> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const config = {
    endpoint: `http://127.0.0.1:${server.port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  const sns = new SNSClient(config);
  const sqs = new SQSClient(config);
  const prefix = `b${uniqueId()}-`;
  const rawTopicArn = await provisionTopic(sns, 'raw', { prefix });
  const closers: { close(): Promise<void> }[] = [];

  return {
    async createTransport() {
      const transport = await createSnsSqsTransport({ connection: { sns, sqs }, prefix, waitTimeSeconds: 1 });
      closers.push(transport);
      return transport;
    },
    async rawPublish(messages) {
      await Promise.all(
        chunk(messages, 10).map((slice) =>
          sns.send(
            new PublishBatchCommand({
              TopicArn: rawTopicArn,
              PublishBatchRequestEntries: slice.map((m, i) => ({
                Id: String(i),
                Message: Buffer.from(m.body).toString('utf8'),
                MessageAttributes: {
                  headers: { DataType: 'String', StringValue: JSON.stringify(m.headers) },
                },
              })),
            }),
          ),
        ),
      );
    },
    async rawSubscribe(group, onMessage, options): Promise<RawSubscription> {
      const { queueUrl } = await provisionSnsSqs(
        { sns, sqs },
        { group: `raw-${group}`, topics: ['raw'] },
        { prefix },
      );
      let stopping = false;
      const poll = async () => {
        while (!stopping) {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MaxNumberOfMessages: 10,
              WaitTimeSeconds: 1,
              MessageAttributeNames: ['All'],
            }),
          );
          if (Messages.length === 0) continue;
          const deliver = (m: (typeof Messages)[number]) => {
            const headers = JSON.parse(m.MessageAttributes?.headers?.StringValue ?? '{}') as Record<
              string,
              string
            >;
            return onMessage({ headers, body: Buffer.from(m.Body ?? '', 'utf8') });
          };
          if (options?.concurrent) await Promise.all(Messages.map(deliver));
          else
            for (const m of Messages) {
              const handled = deliver(m);
              if (handled) await handled;
            }
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
            }),
          );
        }
      };
      const pollers = Array.from({ length: Math.ceil(concurrency / 10) }, poll);
      const subscription = {
        async close() {
          stopping = true;
          await Promise.all(pollers);
        },
      };
      closers.push(subscription);
      return subscription;
    },
    async createSink() {
      // An SNS topic without subscriptions drops what it gets: give both topics a queue.
      const { queueUrl } = await provisionSnsSqs(
        { sns, sqs },
        { group: 'sink', topics: [topic, 'raw'] },
        { prefix },
      );
      return { purge: async () => void (await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }))) };
    },
    async versions() {
      return { 'SNS/SQS': `fauxqs ${fauxqsVersion()} emulator (in-process, not AWS)` };
    },
    async close() {
      for (const c of closers) await c.close();
      sns.destroy();
      sqs.destroy();
      await server.stop();
    },
  };
}

export const snsSqsPeer: BrokerPeer = {
  id: 'sns-sqs',
  label: 'SNS/SQS (fauxqs emulator)',
  emulated: true,
  slow: true,
  open: openSession,
};
