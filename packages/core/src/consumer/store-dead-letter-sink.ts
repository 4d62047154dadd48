/**
 * `storeDeadLetterSink(store)`: the consumer's dead letters kept in the consuming service's
 * own store (SQLite, PostgreSQL, MySQL or memory), message intact (headers and body bytes,
 * also undecodable ones), with reason, code, handler, group, attempts and first and last
 * failure. The CLI and the inspector list them; a redrive request there is carried out by
 * the redrive loop the consumer starts for this sink (`createDeadLetterRedriver`).
 */
import { ConfigurationError } from '../errors/errors.ts';
import type { ReceivedDeadLetters } from '../outbox/received-dead-letters.ts';
import type { DeadLetterSink } from './dead-letter-sink.ts';

export interface StoreDeadLetterSink extends DeadLetterSink {
  /** Where the records go; the consumer starts a redrive loop over it. */
  readonly receivedDeadLetters: ReceivedDeadLetters;
  /** Options for that loop; `false` when another process redrives. */
  readonly redrive: StoreSinkRedriveOptions | false;
}

export interface StoreSinkRedriveOptions {
  /** How often the loop looks for redrive requests. Default 1,000 ms. */
  readonly pollMs?: number;
}

/**
 * @example
 * const consumer = createConsumer({ transport, catalog, handlers, deadLetters: storeDeadLetterSink(store) });
 */
export function storeDeadLetterSink(
  store: { readonly receivedDeadLetters?: ReceivedDeadLetters | undefined },
  options: { readonly redrive?: StoreSinkRedriveOptions | false } = {},
): StoreDeadLetterSink {
  const port = store.receivedDeadLetters;
  if (port === undefined) {
    throw new ConfigurationError(
      'storeDeadLetterSink(store) needs a store that keeps received dead letters (store.receivedDeadLetters: ' +
        'the memory, SQLite, PostgreSQL and MySQL stores have it). Pass one, or use transportDeadLetterSink(transport).',
    );
  }
  return {
    receivedDeadLetters: port,
    redrive: options.redrive ?? {},
    put: (record) =>
      port.put({
        handler: record.handler,
        group: record.group ?? record.handler,
        messageId: record.message.id,
        topic: record.message.topic,
        key: record.message.key,
        reason: record.reason,
        code: record.code,
        attempts: record.attempts,
        firstFailedAt: record.firstFailedAt ?? record.at,
        lastFailedAt: record.at,
        headers: record.message.headers,
        body: record.message.body,
      }),
  };
}

export function isStoreDeadLetterSink(sink: DeadLetterSink): sink is StoreDeadLetterSink {
  return typeof (sink as Partial<StoreDeadLetterSink>).receivedDeadLetters?.claimRedrives === 'function';
}
