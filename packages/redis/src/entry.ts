/**
 * The layout of a message as a stream entry: fields `id`, `key`, `body` and one `h:<name>`
 * per header, all written and read as bytes so bodies and unicode survive unchanged.
 * Redis has no CloudEvents binding; a foreign producer writes a structured-mode event as
 * `XADD <stream> * body <CloudEvents JSON>` (optionally `h:content-type
 * application/cloudevents+json`): `id` then defaults to the entry id and `key` to empty.
 */
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import { isoTime } from '@tidings/core/spi';
import type { Lane } from './lanes.ts';

const headerPrefix = 'h:';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function bytes(body: Uint8Array): Buffer {
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

/** The field/value arguments of XADD for `message`. */
export function entryFields(
  message: Pick<TransportMessage, 'id' | 'key' | 'headers' | 'body'>,
): (string | Buffer)[] {
  const fields: (string | Buffer)[] = ['id', message.id, 'key', message.key, 'body', bytes(message.body)];
  for (const [name, value] of Object.entries(message.headers)) fields.push(`${headerPrefix}${name}`, value);
  return fields;
}

/** A raw entry as `XREADGROUP` / `XCLAIM` return it through `callBuffer`. */
export type RawEntry = [Buffer, Buffer[] | null];

/** A delivered entry: where it lives (lane, entry id) and the message it carries. */
export interface Delivery {
  readonly lane: Lane;
  readonly entryId: string;
  readonly message: ReceivedMessage;
}

// Field names are compared as bytes: most are fixed, and decoding each name costs more
// than the rest of reading the entry.
const h = 0x68;
const colon = 0x3a;

function isId(name: Buffer): boolean {
  return name.length === 2 && name[0] === 0x69 && name[1] === 0x64;
}

function isKey(name: Buffer): boolean {
  return name.length === 3 && name[0] === 0x6b && name[1] === 0x65 && name[2] === 0x79;
}

function isBody(name: Buffer): boolean {
  return name.length === 4 && name[0] === 0x62 && name[1] === 0x6f && name[2] === 0x64 && name[3] === 0x79;
}

/**
 * Header names repeat from entry to entry, in the same places: the last name decoded at each
 * field position is kept with its bytes, and reused when the bytes match, which spares a
 * decode and a string per header of every entry.
 */
const namesAt: { bytes: Buffer; text: string }[] = [];

function headerName(name: Buffer, at: number): string {
  const known = namesAt[at];
  if (known && sameBytes(known.bytes, name)) return known.text;
  const text = name.toString('utf8', 2);
  if (at < 64 && name.length <= 64) namesAt[at] = { bytes: Buffer.from(name), text };
  return text;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reads an entry back; `undefined` for an entry that was deleted or trimmed meanwhile. */
export function toDelivery(lane: Lane, raw: RawEntry, deliveryCount: number): Delivery | undefined {
  const [id, fields] = raw;
  if (!fields) return undefined;
  const headers: Record<string, string> = {};
  let messageId = '';
  let key = '';
  let body: Uint8Array | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i] as Buffer;
    const value = fields[i + 1] as Buffer;
    if (name[0] === h && name[1] === colon) headers[headerName(name, i)] = value.toString('utf8');
    else if (isId(name)) messageId = value.toString('utf8');
    else if (isKey(name)) key = value.toString('utf8');
    else if (isBody(name)) body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  const entryId = id.toString('latin1');
  // The entry id starts with the server's clock (ms): a foreign event's missing `time`.
  const ms = Number(entryId.slice(0, entryId.indexOf('-')));
  const message: Mutable<ReceivedMessage> = {
    id: messageId || entryId,
    topic: lane.topic,
    key,
    headers,
    body: body ?? new Uint8Array(0),
    deliveryCount,
  };
  if (ms > 0) message.publishedAt = isoTime(ms);
  return { lane, entryId, message };
}
