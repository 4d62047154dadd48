/**
 * Turns a JetStream delivery into the `ReceivedMessage` a handler sees: headers and key
 * back from NATS headers, a chunked body reassembled (within the decode limit), the store
 * time as `publishedAt`, and the attempt as `deliveryCount`, which counts JetStream's
 * deliveries plus the in-place retries of this one.
 */
import type { JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { ReceivedMessage } from '@tidings/core';
import { isoTime, transportErrorHeader } from '@tidings/core/spi';
import { loadChunks } from './chunks.ts';
import { msgIdHeader, type NatsHeaders, readNatsHeaders } from './headers.ts';
import type { ResolvedNatsOptions } from './options.ts';
import { natsDeliveryNotes } from './telemetry.ts';

export interface ReceiveContext {
  readonly jsm: JetStreamManager;
  readonly options: ResolvedNatsOptions;
  /** The server's `max_payload`, which sets the chunk size. */
  readonly maxPayload: () => number;
}

export type ReadMessage = Omit<ReceivedMessage, 'deliveryCount'>;

/** The message as read from its headers; `body` from the message itself or its chunks. */
function readAs(stream: string, msg: JsMsg, topic: string, read: NatsHeaders, body: Uint8Array): ReadMessage {
  const { headers, key, id } = read;
  // JetStream's own store time stands in for a foreign event's missing `time`.
  const storedNanos = msg.info.timestampNanos;
  return {
    // A foreign producer may set no Nats-Msg-Id: its CloudEvent id, else the stream sequence.
    id: id || headers['ce-id'] || `${stream}/${msg.seq}`,
    topic,
    key,
    headers,
    body,
    ...(storedNanos > 0 ? { publishedAt: isoTime(Math.floor(storedNanos / 1e6)) } : {}),
  };
}

/**
 * Reads `msg` of `topic`: at once for a body in one message (no promise per delivery on the
 * hot path), else a promise that rejects with a `DecodeError` when its chunks cannot be
 * trusted or are gone.
 */
export function readMessage(
  context: ReceiveContext,
  msg: JsMsg,
  topic: string,
  read: NatsHeaders = readNatsHeaders(msg),
): ReadMessage | Promise<ReadMessage> {
  const { jsm, options } = context;
  if (read.chunks === undefined) return readAs(options.stream, msg, topic, read, msg.data);
  return loadChunks(
    jsm,
    {
      stream: options.stream,
      prefix: options.prefix,
      maxBytes: options.maxMessageBytes,
      maxPayload: context.maxPayload(),
    },
    msg.headers?.get(msgIdHeader) ?? '',
    read.chunks,
  ).then((body) => readAs(options.stream, msg, topic, read, body));
}

/**
 * A message that cannot be read (e.g. a forged or oversized chunk list), as the handler gets
 * it: no body, the original headers, and the reason in `tidings-transport-error`, so the
 * consumer dead-letters it where it can be found instead of JetStream dropping it.
 */
export function refusedMessage(
  context: ReceiveContext,
  msg: JsMsg,
  topic: string,
  reason: string,
): ReadMessage {
  const { headers, key, id } = readNatsHeaders(msg);
  return {
    id: id || headers['ce-id'] || `${context.options.stream}/${msg.seq}`,
    topic,
    key,
    headers: { ...headers, [transportErrorHeader]: reason },
    body: new Uint8Array(0),
  };
}

/**
 * The message as attempt `retries + 1` in place of JetStream delivery `msg.info.deliveryCount`,
 * plus `earlier` deliveries on a consumer that a takeover replaced.
 */
export function attemptOf(message: ReadMessage, msg: JsMsg, retries: number, earlier = 0): ReceivedMessage {
  return natsDeliveryNotes.note(
    { ...message, deliveryCount: msg.info.deliveryCount + retries + earlier },
    { 'messaging.nats.stream_sequence': msg.info.streamSequence },
  );
}
