/**
 * The outbox: appends events in the same transaction as the caller's data, with one
 * delivery per durable handler and per transport route that wants them. After commit,
 * inline (in-process) bus handlers run; nothing runs for a rolled-back transaction.
 */
import type { EventBus } from '../bus/event-bus.ts';
import { ConfigurationError } from '../errors/errors.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { type DurableHandler, wants } from './durable-handler.ts';
import type { OutboxEntry, OutboxStore } from './outbox-store.ts';

/** A named route to a transport: the relay publishes matching events to the broker. */
export interface OutboxRoute {
  readonly name: string;
  /** Event types routed; `'*'` for all. Default `'*'`. */
  readonly types?: readonly string[] | '*';
}

export interface OutboxOptions<Tx> {
  readonly store: OutboxStore<Tx>;
  readonly handlers?: readonly DurableHandler<Tx>[];
  readonly routes?: readonly OutboxRoute[];
  /** In-process handlers that run after commit (at-most-once). */
  readonly bus?: EventBus;
  /** Where failures of inline handlers go, since the transaction already committed. Default: console.error. */
  readonly onInlineError?: (error: unknown) => void;
}

/** Records events for the transaction in progress. */
export type RecordEvents = (events: AnyDomainEvent | readonly AnyDomainEvent[]) => void;

export interface Outbox<Tx> {
  readonly store: OutboxStore<Tx>;
  readonly handlers: readonly DurableHandler<Tx>[];
  readonly routes: readonly Required<OutboxRoute>[];
  /**
   * Runs `work` in one store transaction. Events passed to `record` are appended in it,
   * after `work` resolves; inline bus handlers run after the commit.
   *
   * @example
   * await outbox.transaction(async (tx, record) => {
   *   orders.save(tx, order);
   *   record(order.pullEvents());
   * });
   */
  transaction<T>(work: (tx: Tx, record: RecordEvents) => T | Promise<T>): Promise<T>;
  /**
   * Appends inside a transaction the caller manages (its own pg client after BEGIN, or an
   * ORM transaction through an ORM adapter's store). When the store appends synchronously
   * (SQLite), a failure throws synchronously, so a synchronous transaction rolls back.
   */
  append(tx: Tx, events: readonly AnyDomainEvent[]): Promise<void>;
  /** Appends events in a transaction of their own. */
  publish(events: AnyDomainEvent | readonly AnyDomainEvent[]): Promise<void>;
  /** The consumers (durable handler and route names) owed `event`. */
  consumersFor(event: AnyDomainEvent): readonly string[];
}

function toList(events: AnyDomainEvent | readonly AnyDomainEvent[]): readonly AnyDomainEvent[] {
  return Array.isArray(events) ? (events as readonly AnyDomainEvent[]) : [events as AnyDomainEvent];
}

export function createOutbox<Tx>(options: OutboxOptions<Tx>): Outbox<Tx> {
  const handlers = options.handlers ?? [];
  const routes = (options.routes ?? []).map((r) => ({ name: r.name, types: r.types ?? '*' }));
  const names = new Set<string>();
  for (const { name } of [...handlers, ...routes]) {
    if (names.has(name)) {
      throw new ConfigurationError(
        `Two outbox consumers are named "${name}"; handler and route names must be unique.`,
      );
    }
    names.add(name);
  }
  const consumers = [...handlers, ...routes];
  const cache = new Map<string, readonly string[]>();
  const consumersFor = (event: AnyDomainEvent) => {
    let list = cache.get(event.type);
    if (!list) {
      list = consumers.filter((c) => wants(c.types, event.type)).map((c) => c.name);
      cache.set(event.type, list);
    }
    return list;
  };
  const entries = (events: readonly AnyDomainEvent[]): OutboxEntry[] =>
    events.map((event) => ({ event, consumers: consumersFor(event) }));
  const onInlineError =
    options.onInlineError ?? ((error: unknown) => console.error('[tidings] inline handler failed:', error));

  const afterCommit = async (events: readonly AnyDomainEvent[]) => {
    if (!options.bus || events.length === 0) return;
    try {
      await options.bus.publish(events);
    } catch (error) {
      onInlineError(error);
    }
  };

  const outbox: Outbox<Tx> = {
    store: options.store,
    handlers,
    routes,
    consumersFor,
    async transaction(work) {
      const recorded: AnyDomainEvent[] = [];
      const result = await options.store.transaction(async (tx) => {
        const value = await work(tx, (events) => {
          recorded.push(...toList(events));
        });
        if (recorded.length > 0) await options.store.append(tx, entries(recorded));
        return value;
      });
      await afterCommit(recorded);
      return result;
    },
    append(tx, events) {
      if (events.length === 0) return Promise.resolve();
      // Not async: a synchronous store (SQLite) then throws right here, so the caller's
      // synchronous transaction (better-sqlite3's, Drizzle's on better-sqlite3) rolls back
      // instead of committing the user's rows without their events.
      return Promise.resolve(options.store.append(tx, entries(events)));
    },
    async publish(events) {
      await outbox.transaction((_tx, record) => record(events));
    },
  };
  return outbox;
}
