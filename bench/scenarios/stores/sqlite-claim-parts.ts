/**
 * Where a SQLite relay round spends its time, statement by statement, outside the relay: on
 * a backlog of 20,000 deliveries (one subject each, the broker benchmarks' backlog), the
 * claim's candidate query, the lease written per row or by one statement, loading the event
 * rows, turning them into events, and settling `done` per row or by one statement. Each
 * write runs in a transaction rolled back afterwards, so every sample sees the same backlog.
 * Not part of `npm run bench` (no anchor, no target); after `npm run build`, run it by hand:
 *
 *   node --import tsx bench/scenarios/stores/sqlite-claim-parts.ts [repetitions]
 *
 * It prints µs per row for each part, the median of the repetitions (default 20).
 */
import { createOutbox } from '@tidings/core';
import Database from 'better-sqlite3';
import { eventColumns, toEvent } from '../../../packages/sqlite/src/rows.ts';
import { benchEvents } from '../../brokers/fixture.ts';
import { createBenchStore, fillBacklog } from '../../brokers/stores.ts';

const backlog = 20_000;
const batch = 500;
const repetitions = Number(process.argv[2] ?? 20);

const store = await createBenchStore('sqlite');
const outbox = createOutbox({ store: store.store, routes: [{ name: 'broker' }] });
await fillBacklog(outbox, benchEvents(backlog));
const db = new Database(store.filename as string);
db.pragma('journal_mode = WAL');

// The store's claim query (packages/sqlite/src/claim.ts), with the rowid the lease needs.
const candidates = db.prepare(`SELECT d.rowid AS rid, d.event_id, d.consumer, d.position, d.attempts
  FROM tidings_deliveries d
  WHERE d.status = 'pending'
    AND +d.consumer IN (SELECT value FROM json_each(:consumers))
    AND d.next_attempt_at <= :now
    AND (d.lease_until IS NULL OR d.lease_until <= :now)
    AND NOT EXISTS (
      SELECT 1 FROM tidings_deliveries earlier
      WHERE earlier.status = 'pending' AND earlier.consumer = d.consumer
        AND earlier.ordering_key = d.ordering_key AND earlier.position < d.position
        AND (d.consumer NOT IN (SELECT value FROM json_each(:runs))
          OR earlier.next_attempt_at > :now
          OR (earlier.lease_until IS NOT NULL AND earlier.lease_until > :now)))
  ORDER BY d.position
  LIMIT :limit`);
const leaseOne = db.prepare(
  'UPDATE tidings_deliveries SET lease_owner = ?, lease_until = ? WHERE event_id = ? AND consumer = ?',
);
const leaseAll = db.prepare(
  'UPDATE tidings_deliveries SET lease_owner = ?, lease_until = ? WHERE rowid IN (SELECT value FROM json_each(?))',
);
const loadEvents = db.prepare(
  `SELECT ${eventColumns} FROM tidings_events WHERE position IN (SELECT value FROM json_each(?))`,
);
const doneOne = db.prepare(`UPDATE tidings_deliveries
  SET status = 'done', finished_at = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
  WHERE event_id = ? AND consumer = ? AND status = 'pending'`);
const doneAll = db.prepare(`UPDATE tidings_deliveries
  SET status = 'done', finished_at = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
  WHERE consumer = ? AND status = 'pending' AND event_id IN (SELECT value FROM json_each(?))`);
const begin = db.prepare('BEGIN');
const rollback = db.prepare('ROLLBACK');

interface Row {
  readonly rid: number;
  readonly event_id: string;
  readonly consumer: string;
  readonly position: number;
}
const claimArgs = () => ({ consumers: '["broker"]', runs: '["broker"]', now: Date.now(), limit: batch });
const rows = candidates.all(claimArgs()) as Row[];
const eventRows = loadEvents.all(JSON.stringify(rows.map((r) => r.position))) as Parameters<
  typeof toEvent
>[0][];
const ids = JSON.stringify(rows.map((r) => r.event_id));

const parts: [string, () => void][] = [
  ['candidates (claim query)', () => candidates.all(claimArgs())],
  [
    'lease, a statement per row',
    () => {
      for (const r of rows) leaseOne.run('bench', 1, r.event_id, r.consumer);
    },
  ],
  ['lease, one statement', () => leaseAll.run('bench', 1, JSON.stringify(rows.map((r) => r.rid)))],
  ['load event rows', () => loadEvents.all(JSON.stringify(rows.map((r) => r.position)))],
  [
    'rows to frozen events',
    () => {
      for (const row of eventRows) toEvent(row);
    },
  ],
  [
    'done, a statement per row',
    () => {
      const now = Date.now();
      for (const r of rows) doneOne.run(now, r.event_id, r.consumer);
    },
  ],
  ['done, one statement', () => doneAll.run(Date.now(), 'broker', ids)],
];

const samples = new Map<string, number[]>(parts.map(([name]) => [name, []]));
for (let i = 0; i < repetitions; i++) {
  for (const [name, part] of parts) {
    begin.run();
    const start = performance.now();
    part();
    samples.get(name)?.push(((performance.now() - start) * 1000) / batch);
    rollback.run();
  }
}
for (const [name, times] of samples) {
  times.sort((a, b) => a - b);
  console.log(`${name.padEnd(28)} ${(times[times.length >> 1] ?? 0).toFixed(2)} µs/row`);
}
db.close();
await store.remove();
