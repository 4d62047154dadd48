/**
 * The layout of a message as a stream entry: fields `id`, `key`, `body` and one `h:<name>`
 * per header, all written and read as bytes so bodies and unicode survive unchanged.
 * Redis has no CloudEvents binding; a foreign producer writes a structured-mode event as
 * `XADD <stream> * body <CloudEvents JSON>` (optionally `h:content-type
 * application/cloudevents+json`): `id` then defaults to the entry id and `key` to empty.
 */
import type { ReceivedMessage, TransportMessage } from '@tidings/core';
import type { Lane } from './lanes.ts';

const headerPrefix = 'h:';

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

/** Reads an entry back; `undefined` for an entry that was deleted or trimmed meanwhile. */
export function toDelivery(lane: Lane, raw: RawEntry, deliveryCount: number): Delivery | undefined {
  const [id, fields] = raw;
  if (!fields) return undefined;
  const headers: Record<string, string> = {};
  let messageId = '';
  let key = '';
  let body: Uint8Array = new Uint8Array(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = (fields[i] as Buffer).toString('utf8');
    const value = fields[i + 1] as Buffer;
    if (name === 'id') messageId = value.toString('utf8');
    else if (name === 'key') key = value.toString('utf8');
    else if (name === 'body') body = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    else if (name.startsWith(headerPrefix)) headers[name.slice(headerPrefix.length)] = value.toString('utf8');
  }
  const entryId = id.toString('utf8');
  // The entry id starts with the server's clock (ms): a foreign event's missing `time`.
  const ms = Number(entryId.split('-')[0]);
  return {
    lane,
    entryId,
    message: {
      id: messageId || entryId,
      topic: lane.topic,
      key,
      headers,
      body,
      deliveryCount,
      ...(ms > 0 ? { publishedAt: new Date(ms).toISOString() } : {}),
    },
  };
}
