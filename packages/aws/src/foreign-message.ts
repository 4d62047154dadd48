/**
 * SQS messages that no Tidings transport wrote (no `tidings` attribute): a foreign
 * producer's CloudEvent. SNS/SQS has no CloudEvents binding, so the documented layout is
 * the body as a structured-mode JSON event (optionally with a `content-type` message
 * attribute of `application/cloudevents+json`), or binary mode with `ce-*` String message
 * attributes (at most 10, as SQS allows). An SNS envelope (a subscription without raw
 * delivery) is unwrapped first. Core's codec then reads either mode.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { ReceivedMessage } from '@tidings/core';
import { isoTime } from '@tidings/core/spi';

const encoder = new TextEncoder();

interface SnsEnvelope {
  readonly Type: 'Notification';
  readonly Message: string;
  readonly TopicArn?: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

function snsEnvelopeOf(body: string): SnsEnvelope | undefined {
  if (!body.startsWith('{') || !body.includes('"Notification"')) return undefined;
  try {
    const parsed = JSON.parse(body) as Partial<SnsEnvelope>;
    return parsed.Type === 'Notification' && typeof parsed.Message === 'string'
      ? (parsed as SnsEnvelope)
      : undefined;
  } catch {
    return undefined;
  }
}

export function stringAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (typeof value.StringValue === 'string') out[name] = value.StringValue;
  }
  return out;
}

/** A foreign SQS message as a ReceivedMessage; its topic is the SNS topic name when known. */
export function foreignReceived(message: Message, deliveryCount: number): ReceivedMessage {
  const text = message.Body ?? '';
  const sns = snsEnvelopeOf(text);
  const headers = sns
    ? Object.fromEntries(Object.entries(sns.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]))
    : stringAttributes(message.MessageAttributes);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    id: headers['ce-id'] ?? message.MessageId ?? '',
    topic: sns?.TopicArn?.split(':').pop() ?? '',
    key: message.Attributes?.MessageGroupId ?? '',
    headers,
    body: encoder.encode(sns ? sns.Message : text),
    deliveryCount,
    ...(sent > 0 ? { publishedAt: isoTime(sent) } : {}),
  };
}
