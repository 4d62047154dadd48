/**
 * What every SQL store of received dead letters shares: checking a record before it is
 * written (a clear error naming the field, nothing half-written), and one row shape read
 * back into the port's record. Times are integer milliseconds in the tables, ISO-8601 in
 * the port; headers are JSON text; the body is the raw bytes.
 */
import { ConfigurationError } from '../errors/errors.ts';
import type {
  ReceivedDeadLetter,
  ReceivedDeadLetterInput,
  ReceivedDeadLetterQuery,
  ReceivedDeadLetterStatus,
} from './received-dead-letters.ts';
import { receivedDeadLetterIdOf } from './received-dead-letters.ts';

/** The columns, in the order `receivedDeadLetterValues` gives them. */
export const receivedDeadLetterColumns =
  'id, handler, group_name, message_id, topic, message_key, reason, code, attempts, first_failed_at, last_failed_at, headers, body, status, recorded_at';

export interface ReceivedDeadLetterRow {
  readonly id: string;
  readonly handler: string;
  readonly group_name: string;
  readonly message_id: string;
  readonly topic: string;
  readonly message_key: string;
  readonly reason: string;
  readonly code: string | null;
  readonly attempts: number | string;
  readonly first_failed_at: number | string | bigint;
  readonly last_failed_at: number | string | bigint;
  readonly headers: string | Record<string, string>;
  readonly body: Uint8Array;
  readonly status: string;
  readonly recorded_at: number | string | bigint;
  readonly redrive_requested_at: number | string | bigint | null;
  readonly redriven_at: number | string | bigint | null;
}

const fail = (field: string, reason: string, what = 'Received dead letter'): never => {
  throw new ConfigurationError(`${what}: ${field} ${reason}.`, {
    details: { field },
  });
};

function text(record: ReceivedDeadLetterInput, field: keyof ReceivedDeadLetterInput, empty = false): string {
  const value = record[field];
  if (typeof value !== 'string') return fail(field, `must be a string, got ${typeof value}`);
  if (!empty && value === '') return fail(field, 'must not be empty');
  return value;
}

function millis(record: ReceivedDeadLetterInput, field: 'firstFailedAt' | 'lastFailedAt'): number {
  const value = Date.parse(text(record, field));
  return Number.isFinite(value) ? value : fail(field, `must be an ISO-8601 time, got "${record[field]}"`);
}

/** A checked record as column values (id first), times in ms, headers as JSON. */
export function receivedDeadLetterValues(record: ReceivedDeadLetterInput, recordedAt: number): unknown[] {
  const handler = text(record, 'handler');
  const messageId = text(record, 'messageId');
  if (!Number.isInteger(record.attempts) || record.attempts < 0) {
    fail('attempts', `must be a whole number ≥ 0, got ${String(record.attempts)}`);
  }
  if (record.code !== undefined && typeof record.code !== 'string') fail('code', 'must be a string');
  if (!(record.body instanceof Uint8Array)) fail('body', 'must be a Uint8Array');
  const headers = record.headers as unknown;
  if (
    typeof headers !== 'object' ||
    headers === null ||
    Object.values(headers).some((v) => typeof v !== 'string')
  ) {
    fail('headers', 'must be an object of string values');
  }
  return [
    receivedDeadLetterIdOf(handler, messageId),
    handler,
    text(record, 'group'),
    messageId,
    text(record, 'topic', true),
    text(record, 'key', true),
    text(record, 'reason', true),
    record.code ?? null,
    record.attempts,
    millis(record, 'firstFailedAt'),
    millis(record, 'lastFailedAt'),
    JSON.stringify(record.headers),
    record.body,
    'dead',
    recordedAt,
  ];
}

const iso = (ms: number | string | bigint) => new Date(Number(ms)).toISOString();
const statuses: readonly string[] = ['dead', 'redrive-requested', 'redriven'];

export function receivedDeadLetterFromRow(row: ReceivedDeadLetterRow): ReceivedDeadLetter {
  const status = statuses.includes(row.status) ? (row.status as ReceivedDeadLetterStatus) : 'dead';
  return Object.freeze({
    id: row.id,
    handler: row.handler,
    group: row.group_name,
    messageId: row.message_id,
    topic: row.topic,
    key: row.message_key,
    reason: row.reason,
    code: row.code ?? undefined,
    attempts: Number(row.attempts),
    firstFailedAt: iso(row.first_failed_at),
    lastFailedAt: iso(row.last_failed_at),
    headers: Object.freeze(typeof row.headers === 'string' ? JSON.parse(row.headers) : { ...row.headers }),
    body: new Uint8Array(row.body),
    status,
    recordedAt: iso(row.recorded_at),
    redriveRequestedAt: row.redrive_requested_at === null ? undefined : iso(row.redrive_requested_at),
    redrivenAt: row.redriven_at === null ? undefined : iso(row.redriven_at),
  });
}

/** The query's filters as plain values: `since` in ms (or null), the limit clamped. */
export function receivedDeadLetterFilters(query: ReceivedDeadLetterQuery = {}) {
  let since: number | null = null;
  if (query.since !== undefined) {
    since = Date.parse(query.since);
    if (!Number.isFinite(since))
      fail('since', `must be an ISO-8601 time, got "${query.since}"`, 'Received dead letters query');
  }
  if (query.status !== undefined && !statuses.includes(query.status)) {
    fail(
      'status',
      `must be one of ${statuses.join(', ')}, got "${query.status}"`,
      'Received dead letters query',
    );
  }
  return {
    handler: query.handler ?? null,
    since,
    status: query.status ?? null,
    limit: Math.max(0, Math.floor(query.limit ?? 100)),
  };
}
