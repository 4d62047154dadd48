/**
 * The SNS publisher: PublishBatch with up to 10 entries (and at most 256 KiB) per call, all
 * calls of a standard topic in flight together. A FIFO topic's calls go one after another so
 * that per-key order survives across calls. Resolves once SNS accepted every entry (HTTP 200,
 * no `Failed`), rejects otherwise. Topics are created on first use (CreateTopic is idempotent).
 */
import { PublishBatchCommand, type PublishBatchRequestEntry } from '@aws-sdk/client-sns';
import { TransportError, type TransportMessage } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import { fifoId } from './names.ts';
import type { ResolvedSnsSqsOptions } from './options.ts';
import { provisionTopic } from './provision.ts';
import { encodeBody, envelopeAttribute, envelopeOf } from './wire-format.ts';

interface SizedEntry {
  readonly entry: PublishBatchRequestEntry;
  readonly bytes: number;
}

export interface SnsPublisher {
  publish(messages: readonly TransportMessage[]): Promise<void>;
  /** The ARN of a topic, creating the topic when missing. */
  topicArn(topic: string): Promise<string>;
}

export function createSnsPublisher(options: ResolvedSnsSqsOptions): SnsPublisher {
  const arns = new Map<string, Promise<string>>();

  function topicArn(topic: string): Promise<string> {
    let arn = arns.get(topic);
    if (!arn) {
      arn = provisionTopic(options.sns, topic, options);
      arns.set(topic, arn);
      // Forget failures so the next publish tries again.
      arn.catch(() => arns.delete(topic));
    }
    return arn;
  }

  async function toEntry(message: TransportMessage, index: number): Promise<SizedEntry> {
    let { text, encoding } = encodeBody(message.body);
    const size = (body: string, attribute: string) =>
      Buffer.byteLength(body) + Buffer.byteLength(attribute) + envelopeAttribute.length + 'String'.length;
    let attribute = JSON.stringify(envelopeOf(message, encoding));
    if (size(text, attribute) > options.maxMessageBytes) {
      if (!options.payloadStore) {
        throw new TransportError(
          `Message ${message.id} on topic "${message.topic}" is ${size(text, attribute)} bytes encoded, over ` +
            `the SNS limit of ${options.maxMessageBytes}. Pass payloadStore (createS3PayloadStore) to offload large bodies.`,
        );
      }
      text = await options.payloadStore.put(message.id, message.body);
      encoding = 'ref';
      attribute = JSON.stringify(envelopeOf(message, encoding));
    }
    const entry: PublishBatchRequestEntry = {
      Id: `m${index}`,
      Message: text,
      MessageAttributes: { [envelopeAttribute]: { DataType: 'String', StringValue: attribute } },
    };
    if (options.fifo) {
      entry.MessageGroupId = fifoId(message.key);
      entry.MessageDeduplicationId = fifoId(message.id);
    }
    return { entry, bytes: size(text, attribute) };
  }

  /** Splits entries into PublishBatch calls: at most 10 entries and `maxMessageBytes` each. */
  function chunk(entries: SizedEntry[]): PublishBatchRequestEntry[][] {
    const chunks: PublishBatchRequestEntry[][] = [];
    let current: PublishBatchRequestEntry[] = [];
    let bytes = 0;
    for (const { entry, bytes: size } of entries) {
      if (current.length === 10 || (current.length > 0 && bytes + size > options.maxMessageBytes)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push({ ...entry, Id: `m${current.length}` });
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  async function send(arn: string, entries: PublishBatchRequestEntry[]): Promise<void> {
    let failed: { Id?: string | undefined; Code?: string | undefined; Message?: string | undefined }[];
    try {
      const result = await options.sns.send(
        new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: entries }),
      );
      failed = result.Failed ?? [];
    } catch (error) {
      throw new TransportError(
        `SNS did not accept ${entries.length} message(s) for ${arn}: ${errorMessage(error)}. Publish them again.`,
        { cause: error },
      );
    }
    if (failed.length > 0) {
      const list = failed.map((f) => `${f.Id}: ${f.Code} ${f.Message ?? ''}`.trim()).join('; ');
      throw new TransportError(
        `SNS refused ${failed.length} of ${entries.length} message(s) for ${arn} (${list}). Publish them again.`,
      );
    }
  }

  async function publishTopic(topic: string, messages: TransportMessage[]): Promise<void> {
    const [arn, entries] = await Promise.all([topicArn(topic), Promise.all(messages.map(toEntry))]);
    const calls = chunk(entries);
    if (options.fifo) {
      for (const call of calls) await send(arn, call);
    } else {
      await Promise.all(calls.map((call) => send(arn, call)));
    }
  }

  return {
    topicArn,
    async publish(messages) {
      const byTopic = new Map<string, TransportMessage[]>();
      for (const message of messages) {
        const list = byTopic.get(message.topic) ?? [];
        list.push(message);
        byTopic.set(message.topic, list);
      }
      await Promise.all([...byTopic].map(([topic, list]) => publishTopic(topic, list)));
    },
  };
}
