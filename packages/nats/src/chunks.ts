/**
 * Bodies larger than the server's `max_payload` (1 MiB by default) as a claim check inside
 * the same stream: the body is stored as chunk messages on `<prefix>._chunks.<id>` and the
 * message itself carries their stream sequences in `tidings-chunks`. Consumers filter on
 * topic subjects, so chunks are never delivered on their own; a consumer reads them back
 * by sequence, and accepts only its own chunks, up to its decode limit. Chunks age out with
 * the stream's limits like every other message.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { DecodeError } from '@tidings/core';
import { chunksHeader, msgIdHeader, toNatsHeaders } from './headers.ts';
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
  // An upper bound from string lengths first (a UTF-16 code unit is at most 3 UTF-8 bytes):
  // far below the limit for nearly every message, and encoding each header line to count
  // its bytes was ~5 % of a publish.
  let units = id.length + key.length + 30;
  for (const name in headers)
    if (Object.hasOwn(headers, name)) units += name.length + (headers[name] as string).length + 4;
  if (14 + 3 * units + body.byteLength + 512 <= maxPayload) return false;
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
  const size = chunkSize(maxPayload);
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

/** What a consumer trusts a `tidings-chunks` header with. */
export interface ChunkLimits {
  readonly stream: string;
  readonly prefix: string;
  /** The largest body the consumer accepts, in bytes (the decode limit). */
  readonly maxBytes: number;
  /** The server's `max_payload`, which sets the chunk size publishers use. */
  readonly maxPayload: number;
}

function chunkSize(maxPayload: number): number {
  // Read back through the JSON API, which base64-encodes: keep a chunk well under 3/4 of the limit.
  return Math.floor(maxPayload * 0.7);
}

function refuse(reason: string): never {
  throw new DecodeError(`Refusing the chunk list of a large message: ${reason}.`, {
    details: { header: chunksHeader, reason },
  });
}

/**
 * Reassembles a chunked body. The header is untrusted: it may name at most as many chunks
 * as a body of `maxBytes` needs, each entry must be the message's own chunk (its chunk
 * subject and `<msgId>:chunk:<i>` id, in order), and the body may not outgrow `maxBytes`,
 * so a forged header can neither pull in other messages nor make us hold more than the
 * limit. `DecodeError` with the reason otherwise, or when a chunk is gone (aged out).
 */
export async function loadChunks(
  jsm: JetStreamManager,
  limits: ChunkLimits,
  msgId: string,
  list: string,
): Promise<Uint8Array> {
  const { stream, maxBytes } = limits;
  const most = Math.max(1, Math.ceil(maxBytes / chunkSize(limits.maxPayload)));
  const entries = list.split(',');
  if (entries.length > most) {
    refuse(
      `it names ${entries.length} chunks, more than the ${most} a body of at most ${maxBytes} bytes needs`,
    );
  }
  if (msgId === '') refuse('the message has no Nats-Msg-Id to own chunks');
  const subject = `${limits.prefix}._chunks.${consumerName(msgId)}`;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [index, entry] of entries.entries()) {
    if (!/^[1-9]\d{0,15}$/.test(entry))
      refuse(`entry ${index} is ${JSON.stringify(entry.slice(0, 40))}, not a stream sequence`);
    const seq = Number(entry);
    const stored = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!stored) {
      throw new DecodeError(
        `Chunk ${seq} of a large message is missing from stream "${stream}": it was removed before the message was consumed. Raise the stream's retention limits.`,
      );
    }
    if (stored.subject !== subject || stored.header?.get(msgIdHeader) !== `${msgId}:chunk:${index}`) {
      refuse(
        `entry ${index} (sequence ${seq}) is not chunk ${index} of this message (it is on "${stored.subject}")`,
      );
    }
    total += stored.data.byteLength;
    if (total > maxBytes) refuse(`the chunks hold more than the limit of ${maxBytes} bytes`);
    parts.push(stored.data);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}
