/**
 * Where the consumer runtime puts messages it must give up on: undecodable or invalid
 * messages at once, and messages whose handler exhausted its retries. Nothing vanishes:
 * each record keeps the original message and the reason.
 */
import { deadLetterIdOf, withDeadLetterHeaders } from '../transport/dead-letter-format.ts';
import type { ReceivedMessage, Transport } from '../transport/transport.ts';

export interface DeadLetterRecord {
  /** The handler that gave up. */
  readonly handler: string;
  /** Its subscription group (the handler's name behind the consumer's `groupPrefix`). Default `handler`. */
  readonly group?: string | undefined;
  /** Why, for people. */
  readonly reason: string;
  /** Error code when there was one (e.g. `TIDINGS_DECODE`). */
  readonly code: string | undefined;
  /** How many times the message was delivered to this handler. */
  readonly attempts: number;
  /** When the last attempt failed (ISO-8601). */
  readonly at: string;
  /**
   * When the first attempt failed (ISO-8601), where the consumer remembers it (it keeps the
   * first failure of each message it is retrying, in memory, bounded): after a restart or a
   * redelivery to another member it is the first failure this member saw. Absent = `at`.
   */
  readonly firstFailedAt?: string | undefined;
  readonly message: ReceivedMessage;
}

export interface DeadLetterSink {
  /** MUST durably keep the record before resolving: the message is acked right after. */
  put(record: DeadLetterRecord): Promise<void>;
}

/** Keeps dead letters in memory (tests, single-process apps). */
export function createMemoryDeadLetterSink(): DeadLetterSink & {
  readonly records: readonly DeadLetterRecord[];
} {
  const records: DeadLetterRecord[] = [];
  return {
    records,
    async put(record) {
      records.push(record);
    },
  };
}

export interface TransportDeadLetterOptions {
  /** Topic for a handler's dead letters. Default `tidings.deadletter.<handler>`. */
  readonly topic?: (handler: string) => string;
}

/**
 * Publishes dead letters to a topic on a transport, the original headers and body kept
 * and the reason added in the one dead-letter format (`tidings-dead-letter-*` headers), so
 * they can be inspected and redriven. The dead letter has its own message id, derived
 * from the original's and the handler, so brokers that deduplicate by id (JetStream, SQS
 * FIFO) keep it, while a retried put of the same dead letter stays one.
 */
export function transportDeadLetterSink(
  transport: Transport,
  options: TransportDeadLetterOptions = {},
): DeadLetterSink {
  const topic = options.topic ?? ((handler: string) => `tidings.deadletter.${handler}`);
  return {
    put: (record) =>
      transport.publish([
        {
          id: deadLetterIdOf(record.message.id, record.handler),
          topic: topic(record.handler),
          key: record.message.key,
          body: record.message.body,
          headers: withDeadLetterHeaders(record.message.headers, {
            reason: record.reason,
            code: record.code,
            group: record.group ?? record.handler,
            attempts: record.attempts,
            topic: record.message.topic,
            at: record.at,
            firstFailedAt: record.firstFailedAt,
          }),
        },
      ]),
  };
}
