/**
 * An in-memory OutboxStore and Inbox, for users who want durable-handler semantics in a
 * single process (tests, prototypes) and as the reference the contract suite checks.
 * Nothing survives the process. Transactions stage writes and apply them on commit.
 */

import { StoreError } from '../errors/errors.ts';
import { orderingKey } from '../event/envelope.ts';
import { checkLeaseMs, checkOutcomes } from '../outbox/check-outcomes.ts';
import { type Inbox, inboxMarker } from '../outbox/inbox.ts';
import type {
  AttemptRecord,
  ConsumerStats,
  DeadLetter,
  Delivery,
  DeliveryInfo,
  DeliveryRef,
  DeliveryStatus,
  EventQuery,
  OutboxEntry,
  OutboxStore,
  StoredEvent,
} from '../outbox/outbox-store.ts';
import { matchesQuery } from '../outbox/query.ts';
import type { HasReceivedDeadLetters } from '../outbox/received-dead-letters.ts';
import { createMemoryReceivedDeadLetters } from './memory-received-dead-letters.ts';

/** A transaction of the memory store: writes staged until commit. */
export interface MemoryTx {
  readonly staged: OutboxEntry[];
  readonly inbox: string[];
}

interface Row {
  readonly eventId: string;
  readonly consumer: string;
  readonly position: number;
  readonly key: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  leaseOwner: string | undefined;
  leaseUntil: number;
  lastError: string | undefined;
  history: AttemptRecord[];
  finishedAt: number | undefined;
}

interface EventRecord extends StoredEvent {
  readonly recordedAt: number;
}

export interface MemoryOutboxStoreOptions {
  /** Milliseconds since epoch; injectable so tests control time. Default `Date.now`. */
  readonly clock?: () => number;
}

export type MemoryOutboxStore = OutboxStore<MemoryTx> &
  Inbox<MemoryTx> &
  HasReceivedDeadLetters &
  Required<Pick<Inbox<MemoryTx>, 'savepoint' | 'unmarkProcessed' | 'groupCommit' | 'pruneInbox'>>;

/**
 * @example
 * const store = createMemoryOutboxStore();
 * await store.transaction((tx) => store.append(tx, [{ event, consumers: ['send-email'] }]));
 */
export function createMemoryOutboxStore(options: MemoryOutboxStoreOptions = {}): MemoryOutboxStore {
  const clock = options.clock ?? Date.now;
  const events = new Map<string, EventRecord>();
  const ordered: EventRecord[] = [];
  const rows = new Map<string, Row>();
  // (handler, event id) → when it was processed, for pruneInbox.
  const inbox = new Map<string, number>();
  const listeners = new Set<() => void>();
  let position = 0;

  const rowKey = (eventId: string, consumer: string) => `${consumer}\u0000${eventId}`;
  const info = (row: Row): DeliveryInfo => ({
    eventId: row.eventId,
    consumer: row.consumer,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    history: [...row.history],
    nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : undefined,
    finishedAt: row.finishedAt,
  });

  const commit = (tx: MemoryTx) => {
    const ids = new Set<string>();
    for (const { event } of tx.staged) {
      if (events.has(event.id) || ids.has(event.id)) {
        throw new StoreError(`Event ${event.id} was already appended; event ids must be unique.`);
      }
      ids.add(event.id);
    }
    const now = clock();
    for (const { event, consumers } of tx.staged) {
      const record: EventRecord = { position: ++position, event, recordedAt: now };
      events.set(event.id, record);
      ordered.push(record);
      for (const consumer of consumers) {
        rows.set(rowKey(event.id, consumer), {
          eventId: event.id,
          consumer,
          position: record.position,
          key: orderingKey(event),
          status: 'pending',
          attempts: 0,
          nextAttemptAt: now,
          leaseOwner: undefined,
          leaseUntil: 0,
          lastError: undefined,
          history: [],
          finishedAt: undefined,
        });
      }
    }
    for (const entry of tx.inbox) inbox.set(entry, now);
    if (tx.staged.length > 0) for (const listener of listeners) listener();
  };

  const pendingRow = (ref: DeliveryRef): Row | undefined => {
    const row = rows.get(rowKey(ref.eventId, ref.consumer));
    return row?.status === 'pending' ? row : undefined;
  };
  const owned = (ref: DeliveryRef): Row | undefined => {
    const row = pendingRow(ref);
    return row?.leaseOwner === ref.owner ? row : undefined;
  };

  let queue: Promise<unknown> = Promise.resolve();

  const store: MemoryOutboxStore = {
    transaction(work) {
      // Transactions run one at a time, like a database's serialised writers.
      const run = queue.then(async () => {
        const tx: MemoryTx = { staged: [], inbox: [] };
        const result = await work(tx);
        commit(tx);
        return result;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    append(tx, entries) {
      tx.staged.push(...entries);
    },
    markProcessed: inboxMarker((tx: MemoryTx, handler, eventIds) => {
      const recorded = new Set<string>();
      for (const eventId of eventIds) {
        const key = `${handler}\u0000${eventId}`;
        if (inbox.has(key) || tx.inbox.includes(key)) continue;
        tx.inbox.push(key);
        recorded.add(eventId);
      }
      return recorded;
    }),
    unmarkProcessed(tx, handler, eventIds) {
      const keys = new Set(eventIds.map((eventId) => `${handler}\u0000${eventId}`));
      const kept = tx.inbox.filter((key) => !keys.has(key));
      tx.inbox.splice(0, tx.inbox.length, ...kept);
    },
    async savepoint(tx, work) {
      // Staged writes only grow during a transaction: rolling back is cutting them back.
      const [staged, marked] = [tx.staged.length, tx.inbox.length];
      try {
        return await work();
      } catch (error) {
        tx.staged.length = staged;
        tx.inbox.length = marked;
        throw error;
      }
    },
    // Transactions are serialised and commit costs nothing: groups only save the queueing.
    groupCommit: { maxRuns: 32, concurrency: 1 },
    async claim({ consumers, limit, leaseMs, owner, runs = [] }) {
      checkLeaseMs('claim', leaseMs);
      const now = clock();
      const wanted = new Set(consumers);
      const takesRuns = new Set(runs);
      const blocked = new Set<string>();
      const candidates = [...rows.values()]
        .filter((row) => wanted.has(row.consumer) && row.status === 'pending')
        .sort((a, b) => a.position - b.position);
      const claimed: Delivery[] = [];
      for (const row of candidates) {
        const queueKey = `${row.consumer}\u0000${row.key}`;
        if (blocked.has(queueKey)) continue;
        const claimable = claimed.length < limit && row.nextAttemptAt <= now && row.leaseUntil <= now;
        // A run goes on while its rows are claimable; a head-only queue stops at its head.
        if (!claimable || !takesRuns.has(row.consumer)) blocked.add(queueKey);
        if (!claimable) continue;
        row.leaseOwner = owner;
        row.leaseUntil = now + leaseMs;
        const record = events.get(row.eventId) as EventRecord;
        claimed.push({
          event: record.event,
          consumer: row.consumer,
          position: row.position,
          attempt: row.attempts + 1,
          owner,
        });
      }
      return claimed;
    },
    async settle(outcomes) {
      checkOutcomes(outcomes);
      const now = clock();
      for (const outcome of outcomes) {
        const row = outcome.outcome === 'done' ? pendingRow(outcome) : owned(outcome);
        if (!row) continue;
        row.leaseOwner = undefined;
        row.leaseUntil = 0;
        if (outcome.outcome === 'released') continue;
        if (outcome.outcome === 'done') {
          row.status = 'done';
          row.finishedAt = now;
          continue;
        }
        row.attempts += 1;
        row.lastError = outcome.error;
        row.history.push({ attempt: row.attempts, at: new Date(now).toISOString(), error: outcome.error });
        if (outcome.outcome === 'dead') {
          row.status = 'dead';
          row.finishedAt = now;
        } else row.nextAttemptAt = outcome.retryAt;
      }
    },
    async extend(refs, leaseMs) {
      checkLeaseMs('extend', leaseMs);
      const until = clock() + leaseMs;
      return refs.filter((ref) => {
        const row = owned(ref);
        if (row) row.leaseUntil = until;
        return row !== undefined;
      });
    },
    async deadLetters(query = {}) {
      const dead = [...rows.values()]
        .filter(
          (row) => row.status === 'dead' && (query.consumer === undefined || row.consumer === query.consumer),
        )
        .sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.position - b.position)
        .slice(0, query.limit ?? 100);
      return dead.map(
        (row): DeadLetter => ({ ...info(row), event: (events.get(row.eventId) as EventRecord).event }),
      );
    },
    async redrive(refs) {
      const now = clock();
      let count = 0;
      for (const ref of refs) {
        const row = rows.get(rowKey(ref.eventId, ref.consumer));
        if (row?.status !== 'dead') continue;
        row.status = 'pending';
        row.nextAttemptAt = now;
        row.finishedAt = undefined;
        count += 1;
      }
      return count;
    },
    async events(query: EventQuery = {}) {
      const list = ordered.filter((r) => matchesQuery(r, query));
      if (query.order === 'desc') list.reverse();
      return list.slice(0, query.limit ?? 100).map(({ position: p, event }) => ({ position: p, event }));
    },
    async event(id) {
      const record = events.get(id);
      return record && { position: record.position, event: record.event };
    },
    async deliveries(eventId) {
      return [...rows.values()].filter((row) => row.eventId === eventId).map(info);
    },
    async stats() {
      const now = clock();
      type Counts = { pending: number; done: number; dead: number; retrying: number; oldest: number };
      const byConsumer = new Map<string, Counts>();
      for (const row of rows.values()) {
        const s = byConsumer.get(row.consumer) ?? { pending: 0, done: 0, dead: 0, retrying: 0, oldest: now };
        s[row.status] += 1;
        if (row.status === 'pending' && row.attempts > 0) s.retrying += 1;
        if (row.status === 'pending')
          s.oldest = Math.min(s.oldest, (events.get(row.eventId) as EventRecord).recordedAt);
        byConsumer.set(row.consumer, s);
      }
      return [...byConsumer.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(
          ([consumer, s]): ConsumerStats => ({
            consumer,
            pending: s.pending,
            done: s.done,
            dead: s.dead,
            retrying: s.retrying,
            oldestPendingAgeMs: s.pending > 0 ? now - s.oldest : 0,
          }),
        );
    },
    async pruneInbox(olderThan) {
      let count = 0;
      for (const [key, processedAt] of inbox) {
        if (processedAt >= olderThan) continue;
        inbox.delete(key);
        count += 1;
      }
      return count;
    },
    async prune(before) {
      let count = 0;
      for (let i = ordered.length - 1; i >= 0; i--) {
        const record = ordered[i] as EventRecord;
        if (record.recordedAt >= before) continue;
        const own = [...rows.values()].filter((row) => row.eventId === record.event.id);
        if (own.some((row) => row.status !== 'done')) continue;
        for (const row of own) rows.delete(rowKey(row.eventId, row.consumer));
        events.delete(record.event.id);
        ordered.splice(i, 1);
        count += 1;
      }
      return count;
    },
    onAppend(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
    },
    receivedDeadLetters: createMemoryReceivedDeadLetters(clock),
  };
  return store;
}
