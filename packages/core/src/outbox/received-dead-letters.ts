/**
 * The received-dead-letters port: where a consuming service keeps the messages its consumer
 * gave up on (undecodable, invalid, or retries exhausted), in its own store, so the CLI and
 * the inspector list them next to the outbox's dead deliveries and an operator can ask for
 * them to be redriven back to the broker. The redrive loop (`createDeadLetterRedriver`)
 * claims requested records, republishes them, and marks them redriven.
 *
 * Lifecycle of a record: `dead` → (`requestRedrive`) `redrive-requested` → (`markRedriven`)
 * `redriven`. Every implementation passes `runReceivedDeadLettersContract` from
 * `@tidings/testing`.
 */
import { deadLetterIdOf } from '../transport/dead-letter-format.ts';

export type ReceivedDeadLetterStatus = 'dead' | 'redrive-requested' | 'redriven';

/** What the consumer's sink hands the store: the message intact and why it was given up. */
export interface ReceivedDeadLetterInput {
  /** The handler that gave up. */
  readonly handler: string;
  /** Its consumer group: a redrive is addressed to this group only. */
  readonly group: string;
  /** The transport message id of the original (the event id, or a redrive's id). */
  readonly messageId: string;
  /** The topic it was received on, where a redrive republishes it. */
  readonly topic: string;
  readonly key: string;
  readonly reason: string;
  readonly code?: string | undefined;
  /** Deliveries to the group, the last one included. */
  readonly attempts: number;
  /** ISO-8601; as far as the consumer knows (see `DeadLetterRecord.firstFailedAt`). */
  readonly firstFailedAt: string;
  /** ISO-8601. */
  readonly lastFailedAt: string;
  /** The original headers as received, unchanged. */
  readonly headers: Readonly<Record<string, string>>;
  /** The original body bytes, also when they could not be decoded. */
  readonly body: Uint8Array;
}

export interface ReceivedDeadLetter extends ReceivedDeadLetterInput {
  /** Stable id of the record: `receivedDeadLetterIdOf(handler, messageId)`. */
  readonly id: string;
  readonly status: ReceivedDeadLetterStatus;
  /** When the store recorded it (ISO-8601, the store's clock). */
  readonly recordedAt: string;
  readonly redriveRequestedAt?: string | undefined;
  readonly redrivenAt?: string | undefined;
}

export interface ReceivedDeadLetterQuery {
  readonly handler?: string;
  /** Only records whose last failure is at or after this instant (ISO-8601). */
  readonly since?: string;
  readonly status?: ReceivedDeadLetterStatus;
  /** Default 100. */
  readonly limit?: number;
}

export interface ReceivedDeadLetters {
  /**
   * MUST keep the record durably before resolving (the consumer acks the original right
   * after). MUST be idempotent on (handler, message id): a second put of the same pair
   * (a consumer that died between put and ack) MUST leave the first record as it is.
   * MUST keep headers and body bytes exactly as given.
   */
  put(record: ReceivedDeadLetterInput): Promise<void>;
  /** Records oldest last failure first, filtered as asked. */
  list(query?: ReceivedDeadLetterQuery): Promise<readonly ReceivedDeadLetter[]>;
  /** One record by id, or `undefined`. */
  get(id: string): Promise<ReceivedDeadLetter | undefined>;
  /**
   * Marks records `redrive-requested` (also `redriven` ones, to redrive them again). MUST
   * ignore unknown ids and ids already requested. Returns how many changed.
   */
  requestRedrive(ids: readonly string[]): Promise<number>;
  /**
   * Up to `limit` records in `redrive-requested`, oldest request first. Claims hold no
   * lease: two redrivers MAY republish one record twice, which consumers take as a
   * redelivery (the inbox recognises the event by its id).
   */
  claimRedrives(limit: number): Promise<readonly ReceivedDeadLetter[]>;
  /** Marks requested records `redriven`; MUST leave others alone. Returns how many changed. */
  markRedriven(ids: readonly string[]): Promise<number>;
}

/** A store that keeps received dead letters (every store of this repository does). */
export interface HasReceivedDeadLetters {
  readonly receivedDeadLetters: ReceivedDeadLetters;
}

/** The id of the record of `messageId` given up by `handler`. */
export function receivedDeadLetterIdOf(handler: string, messageId: string): string {
  return deadLetterIdOf(messageId, handler);
}

export function hasReceivedDeadLetters(store: unknown): store is HasReceivedDeadLetters {
  const port = (store as Partial<HasReceivedDeadLetters> | null)?.receivedDeadLetters;
  return typeof port === 'object' && port !== null && typeof port.put === 'function';
}
