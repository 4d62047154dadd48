/**
 * Checks the shape of an untrusted envelope (from JSON, headers or a database row) and
 * copies its known fields into a RawEvent. Unknown fields are dropped; nothing is assigned
 * through a setter, so `__proto__` keys in input cannot pollute prototypes.
 */

import { DecodeError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import type { RawEvent } from '../event/catalog.ts';
import type { EventSubject } from '../event/envelope.ts';
import { rejectControlCharacters } from './control-characters.ts';

export const limits = {
  /** Longest id, type, subject, correlation or causation string accepted. */
  maxFieldLength: 1024,
  /** Largest encoded message accepted by default. */
  maxMessageBytes: 4 * 1024 * 1024,
} as const;

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function fail(field: string, reason: string, value: unknown): never {
  throw new DecodeError(`Cannot decode event: ${field} ${reason} (got ${describeValue(value)}).`, {
    details: { field, reason },
  });
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(field, 'must be a non-empty string', value);
  if (value.length > limits.maxFieldLength)
    fail(field, `is longer than ${limits.maxFieldLength} characters`, value);
  rejectControlCharacters(value, field);
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined || value === null ? undefined : requireString(value, field);
}

export function requireInteger(value: unknown, field: string, min: number): number {
  // 16 digits covers every safe integer (headers carry numbers as text); isSafeInteger bounds it.
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min)
    fail(field, `must be an integer >= ${min}`, value);
  return n;
}

// The last time that passed: events of one burst mostly share their millisecond, and the
// pattern and Date.parse were a tenth of decoding an envelope.
let lastTime = '';

export function requireTime(value: unknown, field: string): string {
  if (value === lastTime && lastTime !== '') return lastTime;
  const text = requireString(value, field);
  if (!isoPattern.test(text) || Number.isNaN(Date.parse(text)))
    fail(field, 'must be an ISO-8601 timestamp', value);
  lastTime = text;
  return text;
}

export function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) fail(field, 'must be an object of strings', value);
  const entries = Object.entries(value as object);
  for (const [key, v] of entries) {
    if (typeof v !== 'string') fail(`${field}.${key}`, 'must be a string', v);
    rejectControlCharacters(key, `${field} key ${JSON.stringify(key)}`);
    rejectControlCharacters(v, `${field}.${key}`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

export interface RawEventFields {
  id: unknown;
  type: unknown;
  version: unknown;
  occurredAt: unknown;
  subjectType: unknown;
  subjectId: unknown;
  sequence: unknown;
  correlationId: unknown;
  causationId: unknown;
  metadata: unknown;
  payload: unknown;
}

/** Builds a RawEvent from loose fields, checking each. */
export function rawEventFrom(fields: RawEventFields): RawEvent {
  const id = requireString(fields.id, 'id');
  const raw: Record<string, unknown> = {
    id,
    type: requireString(fields.type, 'type'),
    occurredAt: requireTime(fields.occurredAt, 'occurredAt'),
  };
  // Absent from a foreign producer: the catalog takes the definition's current version.
  if (fields.version !== undefined && fields.version !== null) {
    raw.version = requireInteger(fields.version, 'version', 1);
  }
  const subjectId = optionalString(fields.subjectId, 'subject.id');
  if (subjectId !== undefined) {
    const subject: { type: string; id: string; sequence?: number } = {
      type: requireString(fields.subjectType, 'subject.type'),
      id: subjectId,
    };
    if (fields.sequence !== undefined && fields.sequence !== null) {
      subject.sequence = requireInteger(fields.sequence, 'subject.sequence', 0);
    }
    raw.subject = subject satisfies EventSubject;
  }
  raw.correlationId = requireString(fields.correlationId ?? id, 'correlationId');
  const causationId = optionalString(fields.causationId, 'causationId');
  if (causationId !== undefined) raw.causationId = causationId;
  raw.metadata = stringMap(fields.metadata, 'metadata');
  raw.payload = fields.payload;
  return raw as unknown as RawEvent;
}

/** Reads an own property without touching the prototype chain. */
export function own(object: object, key: string): unknown {
  return Object.hasOwn(object, key) ? (object as Record<string, unknown>)[key] : undefined;
}
