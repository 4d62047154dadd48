/**
 * How a Tidings message travels through SNS and SQS. The body becomes the SNS message (UTF-8
 * text when it is text SQS accepts, else base64), and everything else — id, topic, key, the
 * CloudEvents headers and the body encoding — goes in ONE JSON message attribute named
 * `tidings`. One attribute because SNS raw delivery and SQS carry at most 10; a header per
 * attribute would cap events at 10 headers.
 */
import { DecodeError, type ReceivedMessage, type TransportMessage } from '@tidings/core';

export const envelopeAttribute = 'tidings';

/** How the SNS message text encodes the body. `ref` is an offloaded body (see payload-store). */
export type BodyEncoding = 'utf8' | 'base64' | 'empty' | 'ref';

export interface WireEnvelope {
  readonly v: 1;
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: BodyEncoding;
}

// Characters SQS accepts in a message body (its XML 1.0 subset).
const sqsInvalid = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
// ignoreBOM keeps a leading BOM in the text, so the body round-trips byte for byte.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** The SNS message text and its encoding for a body. SNS rejects an empty message, hence `empty`. */
export function encodeBody(body: Uint8Array): { text: string; encoding: BodyEncoding } {
  if (body.byteLength === 0) return { text: '-', encoding: 'empty' };
  try {
    const text = strictUtf8.decode(body);
    if (!sqsInvalid.test(text)) return { text, encoding: 'utf8' };
  } catch {
    // Not UTF-8: fall through to base64.
  }
  return {
    text: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
    encoding: 'base64',
  };
}

export function decodeBody(text: string, encoding: BodyEncoding): Uint8Array {
  if (encoding === 'empty') return new Uint8Array(0);
  if (encoding === 'base64') return new Uint8Array(Buffer.from(text, 'base64'));
  return encoder.encode(text);
}

export function envelopeOf(message: TransportMessage, body: BodyEncoding): WireEnvelope {
  return { v: 1, id: message.id, topic: message.topic, key: message.key, headers: message.headers, body };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}

/** Reads the `tidings` attribute; throws `DecodeError` when it is missing or malformed. */
export function parseEnvelope(attribute: string | undefined): WireEnvelope {
  if (attribute === undefined) {
    throw new DecodeError(
      `Not a Tidings message: the "${envelopeAttribute}" message attribute is missing. ` +
        'Publish through the Tidings transport, or subscribe this queue with RawMessageDelivery=true.',
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(attribute);
  } catch (error) {
    throw new DecodeError(`Not a Tidings message: the "${envelopeAttribute}" attribute is not JSON.`, {
      cause: error,
    });
  }
  const e = parsed as Partial<WireEnvelope> | null;
  if (
    e?.v !== 1 ||
    typeof e.id !== 'string' ||
    typeof e.topic !== 'string' ||
    typeof e.key !== 'string' ||
    !isStringRecord(e.headers) ||
    !['utf8', 'base64', 'empty', 'ref'].includes(e.body as string)
  ) {
    throw new DecodeError(
      `Not a Tidings message: the "${envelopeAttribute}" attribute lacks v=1, id, topic, key, headers or body.`,
    );
  }
  return e as WireEnvelope;
}

export function toReceived(envelope: WireEnvelope, body: Uint8Array, deliveryCount: number): ReceivedMessage {
  return {
    id: envelope.id,
    topic: envelope.topic,
    key: envelope.key,
    headers: { ...envelope.headers },
    body,
    deliveryCount,
  };
}
