/**
 * CloudEvents 1.0 codec. Structured mode is one JSON document; binary mode puts attributes
 * in headers (`ce-` prefixed, percent-encoded as the HTTP binding says) and the payload in
 * the body. Extensions: `subjecttype`, `subjectsequence`, `dataversion`, `correlationid`,
 * `causationid`, `traceparent`, `tracestate`, and `metadata` (the rest of the metadata, JSON).
 * Decoding untrusted input returns a RawEvent or throws `DecodeError`; it never crashes.
 *
 * Foreign producers are first-class: `time`, `dataversion` and our extensions may be
 * missing (see `fromCloudEvent`). The subject's position travels as `subjectsequence`
 * because the spec's own Sequence extension (`sequence`) orders as strings; the old name
 * is still read when it holds an integer, so events from older producers keep their order.
 */

import { DecodeError } from '../errors/errors.ts';
import type { RawEvent } from '../event/catalog.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { attributesFromHeaders, attributesOf, fromAttributes, parseJson } from './cloudevent-attributes.ts';
import { encodeHeaderValue } from './header-value.ts';
import { limits } from './raw-event.ts';

/** A message with headers and a body, as brokers with headers carry it. */
export interface BinaryMessage {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

export interface CodecOptions {
  /** CloudEvents `source`: which service produced the event. Default `/tidings`. */
  readonly source?: string;
}

export interface DecodeOptions {
  readonly maxBytes?: number;
  /**
   * Used when the event has no `time` (optional in the spec): the broker's timestamp of the
   * message, else the receive time. Without it such an event is rejected.
   */
  readonly fallbackTime?: FallbackTime;
}

/** A stand-in for a missing `time`, and where it came from (kept in metadata `timesource`). */
export interface FallbackTime {
  readonly time: string;
  readonly source: 'broker' | 'received';
}

export { timeSourceKey } from './cloudevent-attributes.ts';

const traceKeys = ['traceparent', 'tracestate'] as const;

/** The event as a CloudEvents structured-mode object. */
export function toCloudEvent(event: AnyDomainEvent, options: CodecOptions = {}): Record<string, unknown> {
  const ce: Record<string, unknown> = {
    specversion: '1.0',
    id: event.id,
    source: options.source ?? '/tidings',
    type: event.type,
    time: event.occurredAt,
    datacontenttype: 'application/json',
    dataversion: event.version,
    correlationid: event.correlationId,
  };
  if (event.subject) {
    ce.subject = event.subject.id;
    ce.subjecttype = event.subject.type;
    if (event.subject.sequence !== undefined) ce.subjectsequence = event.subject.sequence;
  }
  if (event.causationId !== undefined) ce.causationid = event.causationId;
  // Collected as entries: assigning `rest['__proto__'] = value` would silently drop that key.
  const rest: [string, string][] = [];
  for (const [key, value] of Object.entries(event.metadata)) {
    if ((traceKeys as readonly string[]).includes(key)) ce[key] = value;
    else rest.push([key, value]);
  }
  if (rest.length > 0) ce.metadata = JSON.stringify(Object.fromEntries(rest));
  ce.data = event.payload;
  return ce;
}

/**
 * Reads a CloudEvents structured-mode object (already parsed) into a RawEvent. A missing
 * `dataversion` leaves `version` unset (the catalog takes the definition's current one), a
 * missing `correlationid` is the event's id, a missing `subjecttype` is the `source`, and a
 * missing `time` is `fallbackTime`.
 */
export function fromCloudEvent(ce: unknown, options: Pick<DecodeOptions, 'fallbackTime'> = {}): RawEvent {
  if (typeof ce !== 'object' || ce === null || Array.isArray(ce)) {
    throw new DecodeError(`Cannot decode event: expected a CloudEvents JSON object, got ${typeof ce}.`);
  }
  return fromAttributes(attributesOf(ce), options);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function bytesToText(input: string | Uint8Array, maxBytes: number, what: string): string {
  const size = typeof input === 'string' ? input.length : input.byteLength;
  if (size > maxBytes) {
    throw new DecodeError(`Cannot decode event: ${what} is ${size} bytes, over the limit of ${maxBytes}.`);
  }
  if (typeof input === 'string') return input;
  try {
    return decoder.decode(input);
  } catch (error) {
    throw new DecodeError(`Cannot decode event: ${what} is not valid UTF-8.`, { cause: error });
  }
}

/** Encodes structured mode: one JSON document. */
export function encodeStructured(event: AnyDomainEvent, options?: CodecOptions): string {
  return JSON.stringify(toCloudEvent(event, options));
}

/** Decodes structured mode from JSON text or UTF-8 bytes. */
export function decodeStructured(input: string | Uint8Array, options: DecodeOptions = {}): RawEvent {
  const text = bytesToText(input, options.maxBytes ?? limits.maxMessageBytes, 'message');
  return fromCloudEvent(parseJson(text, 'message'), options);
}

/**
 * Encodes binary mode: `ce-*` headers and the JSON payload as the body. The headers are
 * `toCloudEvent`'s attributes (without `data` and `datacontenttype`) in its order, written
 * directly: building the structured object first and walking its entries was a third of
 * a relay round's encoding.
 */
export function encodeBinary(event: AnyDomainEvent, options?: CodecOptions): BinaryMessage {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'ce-specversion': '1.0',
    'ce-id': encodeHeaderValue(String(event.id)),
    'ce-source': encodeHeaderValue(options?.source ?? '/tidings'),
    'ce-type': encodeHeaderValue(String(event.type)),
    'ce-time': encodeHeaderValue(String(event.occurredAt)),
    'ce-dataversion': encodeHeaderValue(String(event.version)),
    'ce-correlationid': encodeHeaderValue(String(event.correlationId)),
  };
  const { subject } = event;
  if (subject) {
    headers['ce-subject'] = encodeHeaderValue(String(subject.id));
    headers['ce-subjecttype'] = encodeHeaderValue(String(subject.type));
    if (subject.sequence !== undefined)
      headers['ce-subjectsequence'] = encodeHeaderValue(String(subject.sequence));
  }
  if (event.causationId !== undefined)
    headers['ce-causationid'] = encodeHeaderValue(String(event.causationId));
  const rest: [string, string][] = [];
  for (const key in event.metadata) {
    if (!Object.hasOwn(event.metadata, key)) continue;
    const value = event.metadata[key] as string;
    if ((traceKeys as readonly string[]).includes(key))
      headers[`ce-${key}`] = encodeHeaderValue(String(value));
    else rest.push([key, value]);
  }
  // Collected as entries: assigning `rest['__proto__'] = value` would silently drop that key.
  if (rest.length > 0) headers['ce-metadata'] = encodeHeaderValue(JSON.stringify(Object.fromEntries(rest)));
  return { headers, body: encoder.encode(JSON.stringify(event.payload)) };
}

/** Decodes binary mode. Header names are matched case-insensitively. */
export function decodeBinary(message: BinaryMessage, options: DecodeOptions = {}): RawEvent {
  if (
    typeof message !== 'object' ||
    message === null ||
    typeof message.headers !== 'object' ||
    message.headers === null
  ) {
    throw new DecodeError('Cannot decode event: a binary message needs headers and a body.');
  }
  const ce = attributesFromHeaders(message.headers);
  const body = message.body;
  if (!(body instanceof Uint8Array)) throw new DecodeError('Cannot decode event: body must be bytes.');
  ce.data = parseJson(bytesToText(body, options.maxBytes ?? limits.maxMessageBytes, 'body'), 'body');
  return fromAttributes(ce, options);
}

/** True when headers look like a binary-mode CloudEvent. */
export function isBinaryCloudEvent(headers: Readonly<Record<string, unknown>>): boolean {
  // Our own producers write it lower-case: one lookup instead of a scan.
  if (Object.hasOwn(headers, 'ce-specversion')) return true;
  return Object.keys(headers).some((k) => k.toLowerCase() === 'ce-specversion');
}

/** The media type of a message (`content-type`, any case), lower-cased, without parameters. */
function contentTypeOf(headers: Readonly<Record<string, unknown>>): string | undefined {
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === 'content-type' && typeof value === 'string') {
      return value.split(';')[0]?.trim().toLowerCase();
    }
  }
  return undefined;
}

/**
 * Decodes either mode, as the bindings tell them apart: `ce-specversion` among the headers
 * is binary mode; otherwise the body is a structured-mode document
 * (`application/cloudevents+json`, or no content type from a producer that set none).
 */
export function decodeMessage(message: BinaryMessage, options: DecodeOptions = {}): RawEvent {
  if (
    typeof message !== 'object' ||
    message === null ||
    typeof message.headers !== 'object' ||
    message.headers === null
  ) {
    throw new DecodeError('Cannot decode event: a message needs headers and a body.');
  }
  if (isBinaryCloudEvent(message.headers)) return decodeBinary(message, options);
  const type = contentTypeOf(message.headers);
  if (type !== undefined && type !== 'application/cloudevents+json') {
    throw new DecodeError(
      `Cannot decode event: no ce-specversion header (binary mode) and content-type ${JSON.stringify(type)} is not application/cloudevents+json (structured mode).`,
      { details: { field: 'content-type', value: type } },
    );
  }
  if (!(message.body instanceof Uint8Array))
    throw new DecodeError('Cannot decode event: body must be bytes.');
  return decodeStructured(message.body, options);
}
