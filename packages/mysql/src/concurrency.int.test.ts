/**
 * The store under concurrency on a real server: many relays in two pools on one table, a
 * head of queue locked by another transaction, two transactions racing for one inbox
 * record, and connections killed by the server (as on a restart) without crashing us.
 */
import { StoreError } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { describe, expect, it, onTestFinished } from 'vitest';
import { mysqlUrl, noted } from '../test/fresh-tables.ts';
import { freshTables } from '../test/open-stores.ts';
import type { MysqlOutboxStore } from './mysql-outbox-store.ts';

describe('claims by relays in two pools', () => {
  it('never overlap, lose nothing, and keep each subject in order', async () => {
    const { open } = freshTables();
    const [a, b] = [open(), open()];
    const events = Array.from({ length: 300 }, (_, i) => noted(`n-${i % 25}`, { i }, i));
    await a.transaction((tx) =>
      a.append(
        tx,
        events.map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    const seen: string[] = [];
    const relay = async (owner: string, store: MysqlOutboxStore) => {
      for (;;) {
        const batch = await store.claim({ consumers: ['c'], limit: 5, leaseMs: 60_000, owner });
        if (batch.length === 0) return;
        seen.push(...batch.map((d) => d.event.id));
        await store.settle(
          batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner, outcome: 'done' })),
        );
      }
    };
    // A relay may see an empty claim while others hold the heads of every queue, so loop until done.
    while ((await a.stats())[0]?.pending !== 0) {
      await Promise.all([relay('r1', a), relay('r2', b), relay('r3', a), relay('r4', b)]);
    }
    expect(seen).toHaveLength(events.length);
    expect(new Set(seen).size).toBe(events.length);
    const order = new Map(events.map((e, i) => [e.id, i]));
    const bySubject = new Map<string, number[]>();
    for (const id of seen) {
      const index = order.get(id)!;
      const subject = events[index]!.subject!.id;
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), index]);
    }
    for (const list of bySubject.values()) expect(list).toEqual([...list].sort((x, y) => x - y));
  });

  it('a head locked by another transaction still parks its followers, and other subjects flow', async () => {
    const { tablePrefix, open } = freshTables();
    const store = open();
    const [a1, a2, b1] = [noted('a'), noted('a'), noted('b')];
    await store.transaction((tx) =>
      store.append(
        tx,
        [a1, a2, b1].map((event) => ({ event, consumers: ['c'] })),
      ),
    );
    const holder = await store.pool.getConnection();
    onTestFinished(() => holder.release());
    await holder.beginTransaction();
    await holder.query(`SELECT seq FROM \`${tablePrefix}deliveries\` WHERE event_id = ? FOR UPDATE`, [a1.id]);
    const claimed = await store.claim({ consumers: ['c'], limit: 10, leaseMs: 1_000, owner: 'r' });
    expect(claimed.map((d) => d.event.id)).toEqual([b1.id]);
    await holder.rollback();
    expect(
      (await store.claim({ consumers: ['c'], limit: 10, leaseMs: 1_000, owner: 'r' })).map((d) => d.event.id),
    ).toEqual([a1.id]);
  });
});

describe('inbox', () => {
  it('a second transaction marking the same event waits for the first and then sees it', async () => {
    const { open } = freshTables();
    const store = open();
    await store.migrate();
    const first = await store.pool.getConnection();
    const second = await store.pool.getConnection();
    onTestFinished(() => {
      first.release();
      second.release();
    });
    await first.beginTransaction();
    await second.beginTransaction();
    expect(await store.markProcessed(first, 'send-email', 'e-1')).toBe(true);
    const racing = store.markProcessed(second, 'send-email', 'e-1');
    await first.commit();
    expect(await racing).toBe(false);
    await second.commit();
  });
});

describe('connections killed by the server', () => {
  it('fail the calls using them with StoreError, never crash the process, and are replaced', async () => {
    const { open } = freshTables();
    const store = open();
    await store.migrate();
    // Three transactions at once, so the pool holds three connections; we learn their ids.
    const ids: number[] = [];
    let allIn!: () => void;
    const entered = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    let open_!: () => void;
    const gate = new Promise<void>((resolve) => {
      open_ = resolve;
    });
    const work = (i: number) =>
      store.transaction(async (tx) => {
        await store.append(tx, [{ event: noted(`n-${i}`), consumers: ['c'] }]);
        const [rows] = await tx.query<RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
        ids[i] = Number(rows[0]!.id);
        if (ids.filter(Boolean).length === 3) allIn();
        await gate;
        await store.markProcessed(tx, 'h', `e-${i}`);
      });
    const running = [work(0), work(1), work(2)];
    await entered;
    const killer = await mysql.createConnection({ uri: mysqlUrl });
    onTestFinished(() => killer.end());
    // One dies inside its transaction, as when the server restarts mid-request...
    await killer.query(`KILL ${ids[0]}`);
    open_();
    const outcomes = await Promise.allSettled(running);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(StoreError.is((outcomes[0] as PromiseRejectedResult).reason)).toBe(true);
    // ...and the others while idle in the pool, which mysql2 reports as 'error' events.
    await killer.query(`KILL ${ids[1]}`);
    await killer.query(`KILL ${ids[2]}`);
    await waitUntil(
      async () => (await store.stats().catch(() => [])).length === 1,
      'the pool to replace its killed connections',
    );
    expect(await store.stats()).toMatchObject([{ consumer: 'c', pending: 2 }]);
  });
});
