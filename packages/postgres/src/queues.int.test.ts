/**
 * The queue table against the deliveries it summarises: after every kind of outcome, a
 * redrive, a prune, a settle racing an append to the same subject and two relays racing on
 * one queue head, each queue row counts exactly its pending deliveries, no queue with pending
 * deliveries is missing, and no row says a head is ready later than it really is (which would
 * stall the subject).
 */
import type { Delivery, DeliveryOutcome } from '@tidings/core/spi';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createTestPool,
  databaseUrl,
  dropSchema,
  noted,
  uniqueSchema,
  waitFor,
} from '../test/fresh-schema.ts';
import type { CompletionMode } from './options.ts';
import { createPostgresOutboxStore } from './postgres-outbox-store.ts';

let now = 1_000_000;
const clock = () => now;

function open(completion: CompletionMode = 'archive') {
  const schema = uniqueSchema();
  const pools = [createTestPool(), createTestPool()];
  const [store, peer] = pools.map((pool) => createPostgresOutboxStore({ pool, schema, clock, completion }));
  onTestFinished(async () => {
    await Promise.all([store!.close(), peer!.close()]);
    await Promise.all(pools.map((pool) => pool.end()));
    await dropSchema(schema);
  });
  const t = (name: string) => `"${schema}"."tidings_${name}"`;
  /** Every way a queue row can disagree with the deliveries; empty when they agree. */
  const disagreements = async () => {
    const { rows } = await pools[0]!.query(
      `WITH truth AS (
         SELECT DISTINCT ON (consumer, ordering_key) consumer, ordering_key,
           count(*) OVER (PARTITION BY consumer, ordering_key) AS pending,
           GREATEST(next_attempt_at, COALESCE(lease_until, 0)) AS claimable_at
         FROM ${t('deliveries')} WHERE status = 'pending'
         ORDER BY consumer, ordering_key, position
       )
       SELECT COALESCE(q.ordering_key, truth.ordering_key) AS key, q.pending AS counted, truth.pending AS actual,
         q.ready_at, truth.claimable_at
       FROM ${t('queues')} q FULL JOIN truth USING (consumer, ordering_key)
       WHERE q.pending IS DISTINCT FROM truth.pending OR q.ready_at > truth.claimable_at`,
    );
    return rows;
  };
  const claim = (owner: string, limit = 10, from = store!) =>
    from.claim({ consumers: ['c'], runs: ['c'], limit, leaseMs: 10_000, owner }) as Promise<Delivery[]>;
  return { schema, store: store!, peer: peer!, pool: pools[0]!, disagreements, claim };
}

const ref = (d: Delivery) => ({ eventId: d.event.id, consumer: d.consumer, owner: d.owner });
const ids = (list: readonly Delivery[]) => list.map((d) => d.event.id);

describe('queue table', () => {
  for (const completion of ['archive', 'delete', 'keep'] as const) {
    it(`agrees with the deliveries after done, retry, dead and released outcomes (${completion})`, async () => {
      const { store, disagreements, claim } = open(completion);
      const events = ['a', 'a', 'a', 'b', 'b', 'c'].map((s) => noted(s));
      const unordered = noted();
      await store.transaction((tx) =>
        store.append(
          tx,
          [...events, unordered].map((event) => ({ event, consumers: ['c'] })),
        ),
      );
      expect(await disagreements()).toEqual([]);

      const first = await claim('r1');
      expect(ids(first)).toEqual([...events, unordered].map((e) => e.id));
      expect(await disagreements()).toEqual([]);
      const [a1, a2, a3, b1, b2, c1, u] = first;
      const outcomes: DeliveryOutcome[] = [
        { ...ref(a1!), outcome: 'done' },
        { ...ref(a2!), outcome: 'retry', error: 'later', retryAt: now + 5_000 },
        { ...ref(a3!), outcome: 'released' },
        { ...ref(b1!), outcome: 'dead', error: 'poison' },
        { ...ref(b2!), outcome: 'released' },
        { ...ref(c1!), outcome: 'done' },
        { ...ref(u!), outcome: 'done' },
      ];
      await store.settle(outcomes);
      expect(await disagreements()).toEqual([]);
      // The retried a2 parks a3; the dead b1 unblocks b2; c and the unordered event are gone.
      expect(ids(await claim('r2'))).toEqual([b2!.event.id]);
      now += 5_000;
      expect(ids(await claim('r3'))).toEqual([a2!.event.id, a3!.event.id]);
      expect(await disagreements()).toEqual([]);
    });
  }

  it('puts a redriven dead head back in front of its subject', async () => {
    const { store, disagreements, claim } = open();
    const [head, next, last] = [noted('r'), noted('r'), noted('r')];
    await store.transaction((tx) =>
      store.append(
        tx,
        [head, next, last].map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    const [h] = await claim('r1', 1);
    await store.settle([{ ...ref(h!), outcome: 'dead', error: 'poison' }]);
    const [n] = await claim('r2', 1);
    expect(n!.event.id).toBe(next.id);
    await store.settle([{ ...ref(n!), outcome: 'done' }]);
    expect(await store.redrive([{ eventId: head.id, consumer: 'c' }])).toBe(1);
    expect(await disagreements()).toEqual([]);
    expect(ids(await claim('r3'))).toEqual([head.id, last.id]);
    expect(await disagreements()).toEqual([]);
  });

  it('drops the queue of a drained subject, and prune leaves the queues alone', async () => {
    const { store, pool, schema, disagreements, claim } = open('keep');
    const [done, waiting] = [noted('p'), noted('q')];
    await store.transaction((tx) =>
      store.append(tx, [
        { event: done, consumers: ['c'] },
        { event: waiting, consumers: ['c'] },
      ]),
    );
    const [d] = await claim('r1', 1);
    await store.settle([{ ...ref(d!), outcome: 'done' }]);
    now += 1;
    expect(await store.prune(now)).toBe(1);
    expect(await disagreements()).toEqual([]);
    const { rows } = await pool.query(`SELECT ordering_key FROM "${schema}".tidings_queues`);
    expect(rows).toEqual([{ ordering_key: 'Note:q' }]);
  });

  it('keeps the queue when an append to the subject commits while its last delivery settles', async () => {
    const { store, schema, disagreements, claim } = open();
    await store.transaction((tx) => store.append(tx, [{ event: noted('race'), consumers: ['c'] }]));
    const [last] = await claim('r1');
    // An application transaction appends to the same subject and holds the queue row...
    const app = new pg.Client({ connectionString: databaseUrl });
    await app.connect();
    onTestFinished(() => app.end());
    await app.query('BEGIN');
    const later = noted('race');
    await store.append(app, [{ event: later, consumers: ['c'] }]);
    // ...while the relay settles the queue's last known delivery: the settle waits for the row.
    const settling = store.settle([{ ...ref(last!), outcome: 'done' }]);
    const watcher = createTestPool(1);
    onTestFinished(() => watcher.end());
    await waitFor(async () => {
      const { rows } = await watcher.query(
        `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
        [`%"${schema}".%`],
      );
      return rows.length > 0;
    });
    await app.query('COMMIT');
    await settling;
    // The settle's DELETE saw the refilled row and updated it instead: nothing is stuck.
    expect(await disagreements()).toEqual([]);
    expect(ids(await claim('r2'))).toEqual([later.id]);
  });

  it('moves the ready hint of an extended queue to the new lease end, and only for its head', async () => {
    const { store, pool, schema, disagreements, claim } = open();
    const [a1, a2] = [noted('a'), noted('a')];
    await store.transaction((tx) =>
      store.append(
        tx,
        [a1, a2].map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    const held = await claim('r1');
    expect(ids(held)).toEqual([a1.id, a2.id]);
    now += 10_000;
    const extended = await store.extend(held.map(ref), 10_000);
    expect(extended).toHaveLength(2);
    const { rows } = await pool.query(`SELECT ready_at FROM "${schema}".tidings_queues WHERE consumer = 'c'`);
    // Not ready before the new lease end: claims skip the queue in the range scan, no probe.
    expect(rows.map((r) => Number(r.ready_at))).toEqual([now + 10_000]);
    expect(await disagreements()).toEqual([]);
    expect(await claim('r2')).toEqual([]);
    now += 10_000;
    expect(ids(await claim('r2'))).toEqual([a1.id, a2.id]);
    expect(await disagreements()).toEqual([]);
  });

  it('hands one queue head to one of two relays claiming at once, in order', async () => {
    const { store, peer, disagreements, claim } = open();
    const events = Array.from({ length: 30 }, () => noted('hot'));
    await store.transaction((tx) =>
      store.append(
        tx,
        events.map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    const seen: string[] = [];
    for (let round = 0; round < 20 && seen.length < events.length; round += 1) {
      const [mine, theirs] = await Promise.all([claim('r1', 4), claim('r2', 4, peer)]);
      // A claim takes a prefix of the subject's queue; two claims never split it.
      expect(mine!.length === 0 || theirs!.length === 0).toBe(true);
      const got = [...mine!, ...theirs!];
      seen.push(...ids(got));
      await store.settle(got.map((d) => ({ ...ref(d), outcome: 'done' as const })));
    }
    expect(seen).toEqual(events.map((e) => e.id));
    expect(await disagreements()).toEqual([]);
  });
});
