/**
 * How each broker carries an event's CloudEvents attributes, for the AsyncAPI export:
 * the header names and value form of its CloudEvents protocol binding (binary mode), or
 * for brokers without one (SNS/SQS, Redis Streams) the structured layout a foreign
 * producer writes. One table, so the document says what the transports put on the wire.
 */

/** A broker binding the exported document describes. */
export type AsyncApiBinding = 'http' | 'kafka' | 'amqp' | 'nats' | 'sns-sqs' | 'redis';

export interface BindingLayout {
  /** Binary mode: attributes as headers named `prefix + attribute`; structured: one JSON document. */
  readonly mode: 'binary' | 'structured';
  readonly prefix: string;
  /** Header values are percent-encoded (HTTP, NATS) or plain UTF-8 text (Kafka, AMQP). */
  readonly percentEncoded: boolean;
  /** Where `datacontenttype` travels. */
  readonly contentType: 'header' | 'property' | 'payload';
  /** One sentence for the message description. */
  readonly note: string;
}

export const bindingLayouts: Readonly<Record<AsyncApiBinding, BindingLayout>> = {
  http: {
    mode: 'binary',
    prefix: 'ce-',
    percentEncoded: true,
    contentType: 'header',
    note: 'CloudEvents HTTP binding, binary mode: attributes as percent-encoded `ce-` headers, the content type as `content-type`.',
  },
  kafka: {
    mode: 'binary',
    prefix: 'ce_',
    percentEncoded: false,
    contentType: 'header',
    note: 'CloudEvents Kafka binding, binary mode: attributes as `ce_` record headers (UTF-8 text), the content type as the `content-type` header, the subject id as the record key.',
  },
  amqp: {
    mode: 'binary',
    prefix: 'cloudEvents_',
    percentEncoded: false,
    contentType: 'property',
    note: 'CloudEvents AMQP binding, binary mode: attributes as `cloudEvents_` application properties (text; `cloudEvents:` is read too), the content type as the AMQP `content-type` property.',
  },
  nats: {
    mode: 'binary',
    prefix: 'ce-',
    percentEncoded: true,
    contentType: 'header',
    note: 'CloudEvents NATS binding, binary mode: attributes as `ce-` NATS headers (percent-encoded), the content type as the `content-type` header.',
  },
  'sns-sqs': {
    mode: 'structured',
    prefix: '',
    percentEncoded: false,
    contentType: 'payload',
    note: 'SNS/SQS has no CloudEvents binding: a producer sends the event in structured mode, the message body one `application/cloudevents+json` document (a `content-type` String message attribute is optional). Tidings itself also writes one `tidings` JSON attribute, which consumers read first.',
  },
  redis: {
    mode: 'structured',
    prefix: '',
    percentEncoded: false,
    contentType: 'payload',
    note: 'Redis Streams has no CloudEvents binding: a producer writes `XADD <stream> * body <CloudEvents JSON>` (structured mode; `h:content-type application/cloudevents+json` optional). Tidings itself writes `id`, `key`, `body` and `h:<header>` fields with binary-mode headers.',
  },
};

export const asyncApiBindings = Object.keys(bindingLayouts) as readonly AsyncApiBinding[];
