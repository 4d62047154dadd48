/**
 * Idempotent provisioning of the SNS→SQS fan-out: one SNS topic per Tidings topic, one SQS
 * queue per consumer group (with its dead-letter queue and redrive policy), a raw-delivery
 * subscription of the queue to each topic, and a queue policy letting those topics send.
 * Every call may run again (at every start, from several processes) with the same result.
 */
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { TransportError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import { snsTopicName, sqsDeadLetterQueueName, sqsQueueName } from './names.ts';

export interface NamingOptions {
  readonly prefix?: string;
  readonly fifo?: boolean;
}

export interface GroupQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
}

function failed(what: string, error: unknown): TransportError {
  return new TransportError(
    `Cannot ${what}: ${errorMessage(error)}. Check the endpoint, region and permissions.`,
    {
      cause: error,
    },
  );
}

/** Creates the SNS topic of `topic` (or finds it) and returns its ARN. */
export async function provisionTopic(
  sns: SNSClient,
  topic: string,
  options: NamingOptions = {},
): Promise<string> {
  const name = snsTopicName(topic, options);
  try {
    const attributes: Record<string, string> = options.fifo
      ? { FifoTopic: 'true', ContentBasedDeduplication: 'false' }
      : {};
    const created = await sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }));
    if (!created.TopicArn) throw new Error('CreateTopic returned no TopicArn');
    return created.TopicArn;
  } catch (error) {
    throw failed(`create SNS topic ${name}`, error);
  }
}

/** True for "a queue of that name exists with other attributes" (the SDK names it in several ways). */
function isQueueExists(error: unknown): boolean {
  const e = error as { name?: unknown; Code?: unknown; __type?: unknown } | null;
  return [e?.name, e?.Code, e?.__type].some(
    (v) => typeof v === 'string' && /QueueNameExists|QueueAlreadyExists/.test(v),
  );
}

/** Creates a queue, or brings an existing one to `attributes` (CreateQueue refuses changes). */
async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  try {
    let url: string | undefined;
    try {
      url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl;
    } catch (error) {
      if (!isQueueExists(error)) throw error;
      url = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
      const { FifoQueue: _fifo, ...mutable } = attributes;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: mutable }));
    }
    if (!url) throw new Error('CreateQueue returned no QueueUrl');
    const got = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    const arn = got.Attributes?.QueueArn;
    if (!arn) throw new Error('GetQueueAttributes returned no QueueArn');
    return { url, arn };
  } catch (error) {
    throw failed(`create SQS queue ${name}`, error);
  }
}

/**
 * Creates the queue of consumer group `group` and its dead-letter queue, with a redrive
 * policy after `maxReceiveCount` receives.
 */
export async function provisionGroupQueues(
  sqs: SQSClient,
  group: string,
  options: NamingOptions & { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<GroupQueues> {
  const fifo: Record<string, string> = options.fifo
    ? { FifoQueue: 'true', ContentBasedDeduplication: 'false' }
    : {};
  const dlq = await ensureQueue(sqs, sqsDeadLetterQueueName(group, options), {
    ...fifo,
    MessageRetentionPeriod: String(14 * 24 * 3600),
  });
  const main = await ensureQueue(sqs, sqsQueueName(group, options), {
    ...fifo,
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: dlq.arn,
      maxReceiveCount: options.maxReceiveCount ?? 5,
    }),
  });
  return { queueUrl: main.url, queueArn: main.arn, deadLetterQueueUrl: dlq.url, deadLetterQueueArn: dlq.arn };
}

/** Lets `topicArns` send to the queue, keeping statements other topics added before. */
async function allowTopics(sqs: SQSClient, queue: GroupQueues, topicArns: readonly string[]): Promise<void> {
  const got = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.queueUrl, AttributeNames: ['Policy'] }),
  );
  const policy = got.Attributes?.Policy
    ? (JSON.parse(got.Attributes.Policy) as { Version: string; Statement: { Sid?: string }[] })
    : { Version: '2012-10-17', Statement: [] };
  const sids = new Set(policy.Statement.map((s) => s.Sid));
  const added = topicArns
    .map((arn) => ({
      Sid: `tidings-${arn.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 100),
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queue.queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': arn } },
    }))
    .filter((s) => !sids.has(s.Sid));
  if (added.length === 0) return;
  policy.Statement.push(...added);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queue.queueUrl,
      Attributes: { Policy: JSON.stringify(policy) },
    }),
  );
}

/**
 * Provisions everything group `group` needs to receive `topics`: topics, queues, policy and
 * raw-delivery subscriptions. Idempotent.
 *
 * @example
 * const { queueUrl } = await provisionSnsSqs({ sns, sqs }, { group: 'mailer', topics: ['OrderPlaced'] });
 */
export async function provisionSnsSqs(
  clients: { sns: SNSClient; sqs: SQSClient },
  request: { group: string; topics: readonly string[] },
  options: NamingOptions & { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<GroupQueues & { topicArns: Map<string, string> }> {
  const queues = await provisionGroupQueues(clients.sqs, request.group, options);
  const arns = await Promise.all(request.topics.map((t) => provisionTopic(clients.sns, t, options)));
  try {
    await allowTopics(clients.sqs, queues, arns);
    await Promise.all(
      arns.map((arn) =>
        clients.sns.send(
          new SubscribeCommand({
            TopicArn: arn,
            Protocol: 'sqs',
            Endpoint: queues.queueArn,
            Attributes: { RawMessageDelivery: 'true' },
            ReturnSubscriptionArn: true,
          }),
        ),
      ),
    );
  } catch (error) {
    throw failed(`subscribe queue ${queues.queueArn} to ${arns.join(', ')}`, error);
  }
  return { ...queues, topicArns: new Map(request.topics.map((t, i) => [t, arns[i] ?? ''])) };
}
