/**
 * The CloudEvents attributes the decoder reads, gathered into one fixed-shape record (from a
 * binary message's `ce-` headers or a structured document's own properties) and read into a
 * RawEvent by one function for both modes: a dictionary keyed by each header's sliced name
 * (a string to intern per store) and read back with `own` was a fifth of a consumer's
 * decoding. `cloudevents.ts` holds the codec's entry points and the encoders.
 */
import { DecodeError } from '../errors/errors.ts';
import type { RawEvent } from '../event/catalog.ts';
import type { FallbackTime } from './cloudevents.ts';
import { decodeHeaderValue } from './header-value.ts';
import { own, rawEventFrom, requireString } from './raw-event.ts';

/** Metadata key saying that `occurredAt` was not given by the producer, and what stands in. */
export const timeSourceKey = 'timesource';

export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DecodeError(`Cannot decode event: ${what} is not valid JSON (${(error as Error).message}).`, {
      cause: error,
    });
  }
}

/**
 * Every CloudEvents attribute the decoder reads, as found (values not checked yet); absent
 * ones are undefined. Binary mode fills it from headers, structured mode from the parsed
 * document's own properties, and one function reads it for both.
 */
export interface Attributes {
  specversion: unknown;
  id: unknown;
  source: unknown;
  type: unknown;
  time: unknown;
  dataversion: unknown;
  subject: unknown;
  subjecttype: unknown;
  subjectsequence: unknown;
  sequence: unknown;
  correlationid: unknown;
  causationid: unknown;
  metadata: unknown;
  traceparent: unknown;
  tracestate: unknown;
  data: unknown;
}

/** The attributes of a parsed structured-mode document: own properties only. */
export function attributesOf(ce: object): Attributes {
  return {
    specversion: own(ce, 'specversion'),
    id: own(ce, 'id'),
    source: own(ce, 'source'),
    type: own(ce, 'type'),
    time: own(ce, 'time'),
    dataversion: own(ce, 'dataversion'),
    subject: own(ce, 'subject'),
    subjecttype: own(ce, 'subjecttype'),
    subjectsequence: own(ce, 'subjectsequence'),
    sequence: own(ce, 'sequence'),
    correlationid: own(ce, 'correlationid'),
    causationid: own(ce, 'causationid'),
    metadata: own(ce, 'metadata'),
    traceparent: own(ce, 'traceparent'),
    tracestate: own(ce, 'tracestate'),
    data: own(ce, 'data'),
  };
}

function metadataOf(ce: Attributes): Record<string, string> {
  const text = ce.metadata;
  const metadata: Record<string, unknown> =
    text === undefined
      ? {}
      : (parseJson(requireString(text, 'metadata'), 'metadata') as Record<string, unknown>);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new DecodeError('Cannot decode event: metadata must be a JSON object of strings.');
  }
  if (text === undefined && ce.traceparent === undefined && ce.tracestate === undefined)
    return metadata as {};
  const entries = Object.entries(metadata);
  if (ce.traceparent !== undefined) entries.push(['traceparent', ce.traceparent]);
  if (ce.tracestate !== undefined) entries.push(['tracestate', ce.tracestate]);
  return Object.fromEntries(entries) as Record<string, string>;
}

// The spec's Sequence extension is a string; only an integer is ours (written before the rename).
function sequenceOf(ce: Attributes): unknown {
  const current = ce.subjectsequence;
  if (current !== undefined) return current;
  const legacy = ce.sequence;
  return (typeof legacy === 'string' && /^\d{1,16}$/.test(legacy)) || Number.isSafeInteger(legacy)
    ? legacy
    : undefined;
}

export function fromAttributes(
  ce: Attributes,
  options: { readonly fallbackTime?: FallbackTime | undefined },
): RawEvent {
  if (ce.specversion !== '1.0') {
    throw new DecodeError(
      `Cannot decode event: specversion must be "1.0", got ${JSON.stringify(ce.specversion)}.`,
    );
  }
  requireString(ce.source, 'source');
  const metadata = metadataOf(ce);
  let time = ce.time;
  if ((time === undefined || time === null) && options.fallbackTime) {
    time = options.fallbackTime.time;
    metadata[timeSourceKey] = options.fallbackTime.source;
  }
  return rawEventFrom({
    id: ce.id,
    type: ce.type,
    version: ce.dataversion,
    occurredAt: time,
    // A foreign producer's `subject` has no type: its `source` stands in, so one producer's
    // events about one subject share an ordering key across event types.
    subjectType: ce.subjecttype ?? (ce.subject === undefined ? undefined : ce.source),
    subjectId: ce.subject,
    sequence: sequenceOf(ce),
    correlationId: ce.correlationid,
    causationId: ce.causationid,
    metadata,
    payload: ce.data,
  });
}

function noAttributes(): Attributes {
  return {
    specversion: undefined,
    id: undefined,
    source: undefined,
    type: undefined,
    time: undefined,
    dataversion: undefined,
    subject: undefined,
    subjecttype: undefined,
    subjectsequence: undefined,
    sequence: undefined,
    correlationid: undefined,
    causationid: undefined,
    metadata: undefined,
    traceparent: undefined,
    tracestate: undefined,
    data: undefined,
  };
}

/**
 * The attributes of a binary message's `ce-` headers, names in any case. Other `ce-` headers
 * are still checked (a malformed percent-encoding is refused), then dropped.
 */
export function attributesFromHeaders(headers: Readonly<Record<string, string>>): Attributes {
  const ce = noAttributes();
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name];
    if (typeof value !== 'string' || name.length < 3) continue;
    const lower = name.toLowerCase();
    if (!lower.startsWith('ce-')) continue;
    const decoded = decodeHeaderValue(value, name);
    switch (lower) {
      case 'ce-specversion':
        ce.specversion = decoded;
        break;
      case 'ce-id':
        ce.id = decoded;
        break;
      case 'ce-source':
        ce.source = decoded;
        break;
      case 'ce-type':
        ce.type = decoded;
        break;
      case 'ce-time':
        ce.time = decoded;
        break;
      case 'ce-dataversion':
        ce.dataversion = decoded;
        break;
      case 'ce-subject':
        ce.subject = decoded;
        break;
      case 'ce-subjecttype':
        ce.subjecttype = decoded;
        break;
      case 'ce-subjectsequence':
        ce.subjectsequence = decoded;
        break;
      case 'ce-sequence':
        ce.sequence = decoded;
        break;
      case 'ce-correlationid':
        ce.correlationid = decoded;
        break;
      case 'ce-causationid':
        ce.causationid = decoded;
        break;
      case 'ce-metadata':
        ce.metadata = decoded;
        break;
      case 'ce-traceparent':
        ce.traceparent = decoded;
        break;
      case 'ce-tracestate':
        ce.tracestate = decoded;
        break;
    }
  }
  return ce;
}
