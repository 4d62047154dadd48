/**
 * The one dead-letter format, carried as headers next to the original message's own (which
 * stay intact), the same on every broker: the transports' native dead letters and the
 * consumer's `transportDeadLetterSink` write it, the CLI and redrive read it. Values are
 * plain text; the reason is one line of at most 1,000 characters.
 */
import { ConfigurationError } from '../errors/errors.ts';
import { TidingsError } from '../errors/tidings-error.ts';
import type { TransportMessage } from './transport.ts';

export const deadLetterHeaders = {
  /** Why, for people. */
  reason: 'tidings-dead-letter-reason',
  /** The error's stable code, when it had one (`TIDINGS_DECODE`, …). */
  code: 'tidings-dead-letter-code',
  /** The consumer group (the handler) that gave up. */
  group: 'tidings-dead-letter-group',
  /** Deliveries to that group, the last one included. */
  attempts: 'tidings-dead-letter-attempts',
  /** The topic the original message was published to. */
  topic: 'tidings-dead-letter-topic',
  /** When the last attempt failed (ISO-8601). */
  at: 'tidings-dead-letter-at',
  /**
   * When the first attempt failed (ISO-8601), as far as the writer knows: the consumer
   * remembers it for messages it is retrying (in memory, per member), so after a restart or
   * a redelivery to another member it is the first failure that member saw. Never the
   * broker's publish time. Absent in older dead letters: read it as `at`.
   */
  firstFailedAt: 'tidings-dead-letter-first-failed-at',
} as const;

/**
 * A redriven message is for one consumer group only: a consumer of another group acks and
 * skips a message carrying this header with a group that is not its own.
 */
export const redriveGroupHeader = 'tidings-redrive-group';

export interface DeadLetterFields {
  readonly reason: string;
  readonly code?: string | undefined;
  readonly group: string;
  readonly attempts: number;
  readonly topic: string;
  readonly at: string;
  /** When the first attempt failed; writers that do not know leave it out (read back as `at`). */
  readonly firstFailedAt?: string | undefined;
}

const maxReasonLength = 1000;

/**
 * The message id of a dead letter of `messageId` written for `group`: stable, so a member
 * that dies between writing it and acking the original cannot write it twice where the
 * broker dedups by id (JetStream, SQS FIFO), and distinct from the original's, so that
 * dedup never drops the dead letter itself.
 */
export function deadLetterIdOf(messageId: string, group: string): string {
  return `${messageId}:deadletter:${group}`;
}

/** The headers of a dead letter: the original's, plus the format's. */
export function withDeadLetterHeaders(
  headers: Readonly<Record<string, string>>,
  info: DeadLetterFields,
): Record<string, string> {
  return {
    ...headers,
    [deadLetterHeaders.reason]: info.reason.replace(/[\r\n]+/g, ' ').slice(0, maxReasonLength),
    ...(info.code ? { [deadLetterHeaders.code]: info.code } : {}),
    [deadLetterHeaders.group]: info.group,
    [deadLetterHeaders.attempts]: String(info.attempts),
    [deadLetterHeaders.topic]: info.topic,
    [deadLetterHeaders.at]: info.at,
    [deadLetterHeaders.firstFailedAt]: info.firstFailedAt ?? info.at,
  };
}

/** Reads the format back; `undefined` when `headers` carry no dead-letter reason. */
export function readDeadLetterHeaders(
  headers: Readonly<Record<string, string>>,
): DeadLetterFields | undefined {
  const reason = headers[deadLetterHeaders.reason];
  if (reason === undefined) return undefined;
  const code = headers[deadLetterHeaders.code];
  const at = headers[deadLetterHeaders.at] ?? '';
  return {
    reason,
    ...(code ? { code } : {}),
    group: headers[deadLetterHeaders.group] ?? '',
    attempts: Number(headers[deadLetterHeaders.attempts] ?? 0) || 0,
    topic: headers[deadLetterHeaders.topic] ?? '',
    at,
    firstFailedAt: headers[deadLetterHeaders.firstFailedAt] ?? at,
  };
}

/** The stable code of a Tidings error, for the `code` field; `undefined` for other errors. */
export function errorCodeOf(error: unknown): string | undefined {
  return TidingsError.is(error) ? error.code : undefined;
}

/**
 * The message that redrives `letter` to the topic it was dead-lettered from: the original
 * headers, key and body, the dead-letter headers removed. Its id is fresh (`<event id>:
 * redrive:<at>`), so brokers that deduplicate by id (JetStream, SQS FIFO) do not drop it as
 * a repeat of the original; consumers still recognise the event by its `ce-id` (the inbox).
 */
export function toRedriveMessage(
  letter: Pick<TransportMessage, 'id' | 'key' | 'headers' | 'body'>,
  at: string = new Date().toISOString(),
): TransportMessage {
  const info = readDeadLetterHeaders(letter.headers);
  if (info === undefined || info.topic === '') {
    throw new ConfigurationError(
      `Message ${letter.id} is not a dead letter (no ${deadLetterHeaders.reason} / ${deadLetterHeaders.topic} header); only dead letters can be redriven.`,
    );
  }
  const names = new Set<string>(Object.values(deadLetterHeaders));
  const headers = Object.fromEntries(Object.entries(letter.headers).filter(([name]) => !names.has(name)));
  const eventId = headers['ce-id'] ?? letter.id;
  return { id: `${eventId}:redrive:${at}`, topic: info.topic, key: letter.key, headers, body: letter.body };
}
