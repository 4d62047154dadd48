/**
 * The PostgreSQL store's floor, outside the relay: per 100 deliveries, the store's
 * `claim` + `settle(done)` against the raw `SKIP LOCKED` loop (locks held in a transaction,
 * one `UPDATE … done`), and against the raw loop written the way the store must work (a lease
 * written by one autocommit claim, then one statement moving the rows to the done table; no
 * per-subject order). Alternating in one process on one backlog size, so load hits all three.
 * Not part of `npm run bench` (no relay, no ratios to a target); run it by hand:
 *
 *   node --conditions=@tidings/source --import tsx bench/scenarios/stores/pg-floor.ts [subjects] [runs]
 */
import { createPostgresOutboxStore } from '@tidings/postgres';
import { chunks, consumer, createPool, dropSchema, entriesOf, makeEvents, uniqueSchema } from './fixture.ts';
import { openRawPostgres } from './pg-raw.ts';

const subjects = process.argv[2] ? Number(process.argv[2]) : undefined;
const runs = process.argv[3] === 'runs';
const backlog = 5_000;
const pool = createPool();
const schema = uniqueSchema();
const store = createPostgresOutboxStore({ pool, schema, notify: false });
await store.migrate();
const raw = await openRawPostgres(pool, schema);
const [deliveries, events, done] = ['deliveries', 'events', 'deliveries_done'].map(
  (t) => `"${schema}"."raw_${t}"`,
);

async function sameWay(): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `WITH c AS (SELECT event_id, consumer FROM ${deliveries} WHERE consumer = $1 AND status = 'pending'
       AND (lease_until IS NULL OR lease_until <= $2) ORDER BY position LIMIT 100 FOR UPDATE SKIP LOCKED),
     l AS (UPDATE ${deliveries} d SET lease_owner = 'floor', lease_until = $2 + 30000 FROM c
       WHERE d.event_id = c.event_id AND d.consumer = c.consumer RETURNING d.event_id)
     SELECT e.id, e.payload::text, e.metadata::text FROM l JOIN ${events} e ON e.id = l.event_id`,
    [consumer, Date.now()],
  );
  if (rows.length === 0) return 0;
  await pool.query(
    `WITH f AS (DELETE FROM ${deliveries} d WHERE d.consumer = $1 AND d.event_id = ANY($2) RETURNING d.*)
     INSERT INTO ${done} (event_id, consumer, slot, position, attempts, history, finished_at)
     SELECT event_id, consumer, slot, position, attempts, history, $3 FROM f`,
    [consumer, rows.map((r) => r.id), Date.now()],
  );
  return rows.length;
}

async function tidings(): Promise<number> {
  const got = await store.claim({
    consumers: [consumer],
    runs: runs ? [consumer] : [],
    limit: 100,
    leaseMs: 30_000,
    owner: 'floor',
  });
  if (got.length > 0) {
    await store.settle(
      got.map((d) => ({
        eventId: d.event.id,
        consumer: d.consumer,
        owner: d.owner,
        outcome: 'done' as const,
      })),
    );
  }
  return got.length;
}

/** Milliseconds per 100 deliveries to drain what is pending with `step`. */
async function drain(step: () => Promise<number>): Promise<number> {
  const started = performance.now();
  let moved = 0;
  for (let n = await step(); n > 0; n = await step()) moved += n;
  return ((performance.now() - started) / moved) * 100;
}

const times = { tidings: [] as number[], raw: [] as number[], sameWay: [] as number[] };
for (let round = 0; round < 5; round += 1) {
  for (const batch of chunks(makeEvents(backlog, subjects), 1000)) {
    await store.transaction((tx) => store.append(tx, entriesOf(batch)));
  }
  times.tidings.push(await drain(tidings));
  for (const batch of chunks(makeEvents(backlog), 1000)) await raw.append(batch);
  times.raw.push(await drain(() => raw.claimBatch(100)));
  for (const batch of chunks(makeEvents(backlog), 1000)) await raw.append(batch);
  times.sameWay.push(await drain(sameWay));
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
for (const [name, list] of Object.entries(times)) {
  console.log(
    `${name}: ${median(list).toFixed(1)} ms per 100 (runs: ${list.map((x) => x.toFixed(1)).join(', ')})`,
  );
}
await store.close();
await dropSchema(pool, schema);
await pool.end();
