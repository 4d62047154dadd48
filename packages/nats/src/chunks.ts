/**
 * Bodies larger than the server's `max_payload` (1 MiB by default) as a claim check inside
 * the same stream: the body is stored as chunk messages on `<prefix>._chunks.<id>` and the
 * message itself carries their stream sequences in `tidings-chunks`. Consumers filter on
 * topic subjects, so chunks are never delivered on their own; a consumer reads them back
 * by sequence. Chunks age out with the stream's limits like every other message.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { DecodeError } from '@tidings/core';
import { chunksHeader, toNatsHeaders } from './headers.ts';
import { consumerName } from './subjects.ts';

export { chunksHeader };

const encoder = new TextEncoder();

/** Bytes the headers take on the wire (`NATS/1.0`, `name: value` lines), plus the id header. */
function headerBytes(headers: Readonly<Record<string, string>>, key: string, id: string): number {
  let size = 12 + 2 + encoder.encode(`Nats-Msg-Id: ${id}\r\ntidings-key: ${key}\r\n`).byteLength;
  for (const [name, value] of Object.entries(headers))
    size += encoder.encode(`${name}: ${value}\r\n`).byteLength;
  return size;
}

/** True when the message would not fit one NATS message (with a margin for the protocol line). */
export function needsChunks(
  headers: Readonly<Record<string, string>>,
  key: string,
  id: string,
  body: Uint8Array,
  maxPayload: number,
): boolean {
  return headerBytes(headers, key, id) + body.byteLength + 512 > maxPayload;
}

/**
 * Stores `body` as chunks and returns the header value naming them. Chunk ids derive from
 * the message id, so a retried publish stores them once (within the duplicate window).
 */
export async function storeChunks(
  js: JetStreamClient,
  prefix: string,
  id: string,
  body: Uint8Array,
  maxPayload: number,
): Promise<string> {
  // Read back through the JSON API, which base64-encodes: keep a chunk well under 3/4 of the limit.
  const size = Math.floor(maxPayload * 0.7);
  const subject = `${prefix}._chunks.${consumerName(id)}`;
  const acks = await Promise.all(
    Array.from({ length: Math.ceil(body.byteLength / size) }, (_, i) =>
      js.publish(subject, body.subarray(i * size, (i + 1) * size), {
        msgID: `${id}:chunk:${i}`,
        headers: toNatsHeaders({}, id),
      }),
    ),
  );
  return acks.map((ack) => ack.seq).join(',');
}

/** Reassembles a chunked body; `DecodeError` when a chunk is gone (e.g. aged out of the stream). */
export async function loadChunks(jsm: JetStreamManager, stream: string, list: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const seq of list.split(',').map(Number)) {
    const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!stored) {
      throw new DecodeError(
        `Chunk ${seq} of a large message is missing from stream "${stream}": it was removed before the message was consumed. Raise the stream's retention limits.`,
      );
    }
    parts.push(stored.data);
  }
  const body = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
