/**
 * Plain AWS SDK clients for the contract's CloudEvents interop scenarios. SNS/SQS has no
 * CloudEvents binding; this client writes what a foreign producer would per our documented
 * layout (the body, `ce-*` / `content-type` as String message attributes, at most 10) and
 * reads our layout (the body plus the headers inside the `tidings` attribute) with its own
 * queue subscribed to the topic with raw delivery.
 */
import { randomUUID } from 'node:crypto';
import {
  CreateTopicCommand,
  PublishCommand,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { RawWire, RawWireMessage } from '@tidings/testing';
import { snsTopicName } from '../src/names.ts';
import { createTestClients, type TestClients } from './fauxqs-peer.ts';

export function createSnsSqsRawWire(
  endpoint: () => string,
  fifo: boolean,
): RawWire & { close(): Promise<void> } {
  let clients: TestClients | undefined;
  const aws = () => {
    clients ??= createTestClients(endpoint());
    return clients;
  };
  const topicArn = async (topic: string) => {
    const name = snsTopicName(topic, { fifo });
    const attributes = fifo ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' } : undefined;
    const created = await aws().sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
    return created.TopicArn as string;
  };
  return {
    binding: 'HTTP',
    async send(topic, message) {
      const attributes = Object.fromEntries(
        Object.entries(message.headers)
          .filter(([, value]) => value !== '')
          .map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      );
      await aws().sns.send(
        new PublishCommand({
          TopicArn: await topicArn(topic),
          Message: new TextDecoder().decode(message.body),
          MessageAttributes: attributes,
          ...(fifo ? { MessageGroupId: message.key || 'raw', MessageDeduplicationId: randomUUID() } : {}),
        }),
      );
    },
    async read(topic) {
      const { sns, sqs } = aws();
      const messages: RawWireMessage[] = [];
      const name = `raw-${randomUUID().slice(0, 8)}${fifo ? '.fifo' : ''}`;
      const queue = await sqs.send(
        new CreateQueueCommand({ QueueName: name, ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}) }),
      );
      const queueUrl = queue.QueueUrl as string;
      const arn = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      );
      const subscription = await sns.send(
        new SubscribeCommand({
          TopicArn: await topicArn(topic),
          Protocol: 'sqs',
          Endpoint: arn.Attributes?.QueueArn,
          Attributes: { RawMessageDelivery: 'true' },
        }),
      );
      let reading = true;
      const loop = (async () => {
        while (reading) {
          const got = await sqs
            .send(
              new ReceiveMessageCommand({
                QueueUrl: queueUrl,
                WaitTimeSeconds: 1,
                MessageAttributeNames: ['All'],
              }),
            )
            .catch(() => ({ Messages: [] }));
          for (const m of got.Messages ?? []) {
            const envelope = JSON.parse(m.MessageAttributes?.tidings?.StringValue ?? '{}') as {
              headers?: Record<string, string>;
              key?: string;
            };
            messages.push({
              headers: envelope.headers ?? {},
              body: new TextEncoder().encode(m.Body ?? ''),
              key: envelope.key ?? '',
            });
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
          }
        }
      })();
      return {
        messages,
        close: async () => {
          reading = false;
          await loop;
          await sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn }));
          await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
        },
      };
    },
    async close() {
      clients?.destroy();
    },
  };
}
