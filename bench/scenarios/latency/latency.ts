/**
 * Latency from commit to a handler in another process, at a steady rate: the outbox relay on
 * PostgreSQL (woken by LISTEN/NOTIFY) and on SQLite (polling), against a bare NOTIFY → LISTEN
 * round trip. The clock starts just before COMMIT is sent (end of the transaction's work, or
 * the NOTIFY statement) and stops when the listener process sees the event.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { OutboxStore } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore } from '@tidings/sqlite';
import type pg from 'pg';
import { type Benchmark, defineBenchmark, type RunResult } from '../../registry.ts';
import {
  createPool,
  dropSchema,
  postgresVersion,
  sqliteVersion,
  tempDir,
  uniqueSchema,
} from '../stores/fixture.ts';
import { Ping } from './ping.ts';

const group = 'latency: commit → handler in another process, 200 events/s';
const anchor = 'latency/postgres/raw-notify';
const ratePerSecond = 200;
/** The SQLite relay has no wake-up across processes; it polls this often. */
const sqlitePollMs = 10;
const size = { full: 1_000, quick: 200, smoke: 3 };
const listenerPath = fileURLToPath(new URL('./listener.ts', import.meta.url));

interface Listener {
  readonly child: ChildProcess;
  readonly seen: Map<string, bigint>;
  waiter: (() => void) | undefined;
}

async function startListener(args: readonly string[]): Promise<Listener> {
  const child = fork(listenerPath, args, {
    execArgv: ['--conditions=@tidings/source', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const listener: Listener = { child, seen: new Map(), waiter: undefined };
  const ready = new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`latency listener exited with code ${code} before it was ready`)),
    );
    child.on('message', (message: unknown) => {
      if (message === 'ready') return resolve();
      const { id, at } = message as { id: string; at: string };
      listener.seen.set(id, BigInt(at));
      listener.waiter?.();
    });
  });
  await ready;
  return listener;
}

async function stopListener(listener: Listener): Promise<void> {
  if (listener.child.exitCode !== null) return;
  const exited = once(listener.child, 'exit');
  listener.child.send('close');
  await Promise.race([exited, delay(5_000).then(() => listener.child.kill())]);
}

/** Sends `count` events at the steady rate and waits until the listener saw them all. */
async function paced(
  listener: Listener,
  count: number,
  send: (n: number) => Promise<{ id: string; startedAt: bigint }>,
): Promise<RunResult> {
  listener.seen.clear();
  const started = new Map<string, bigint>();
  const intervalMs = 1_000 / ratePerSecond;
  const t0 = performance.now();
  for (let n = 0; n < count; n++) {
    const wait = t0 + n * intervalMs - performance.now();
    if (wait > 0) await delay(wait);
    const { id, startedAt } = await send(n);
    started.set(id, startedAt);
  }
  const deadline = Date.now() + 30_000;
  while (listener.seen.size < count) {
    if (Date.now() > deadline)
      throw new Error(`the listener saw ${listener.seen.size} of ${count} events in 30 s`);
    await new Promise<void>((resolve) => {
      listener.waiter = resolve;
      setTimeout(resolve, 100);
    });
  }
  const latenciesMs = [...started].map(([id, at]) => Number((listener.seen.get(id) as bigint) - at) / 1e6);
  return { ops: count, latenciesMs };
}

/** Appends one event in its own transaction; the clock starts as the work ends, before COMMIT. */
async function appendOne(store: OutboxStore, n: number) {
  const event = Ping.create({ n });
  let startedAt = 0n;
  await store.transaction(async (tx) => {
    await store.append(tx, [{ event, consumers: ['latency-probe'] }]);
    startedAt = process.hrtime.bigint();
  });
  return { id: event.id, startedAt };
}

export const latencyBenchmarks: readonly Benchmark[] = [
  defineBenchmark({
    name: anchor,
    group,
    note: 'bare `SELECT pg_notify(channel, id)` (autocommit) → `LISTEN` in the other process',
    size,
    async setup() {
      const pool = createPool(2);
      const channel = uniqueSchema();
      return { pool, channel, listener: await startListener(['notify', channel]) };
    },
    run: (s, count) =>
      paced(s.listener, count, async (n) => {
        const id = `ping-${n}`;
        const startedAt = process.hrtime.bigint();
        await s.pool.query('SELECT pg_notify($1, $2)', [s.channel, id]);
        return { id, startedAt };
      }),
    async teardown(s) {
      await stopListener(s.listener);
      await s.pool.end();
    },
    versions: (s) => postgresVersion(s.pool),
  }),
  defineBenchmark({
    name: 'latency/postgres/tidings-relay',
    group,
    anchor,
    note: 'outbox append + commit → relay (LISTEN/NOTIFY wake-up) → durable handler in the other process',
    size,
    async setup() {
      const pool: pg.Pool = createPool(2);
      const schema = uniqueSchema();
      const store = createPostgresOutboxStore({ pool, schema });
      await store.transaction(() => undefined); // migrate before the listener opens it
      return { pool, schema, store, listener: await startListener(['tidings', schema]) };
    },
    run: (s, count) => paced(s.listener, count, (n) => appendOne(s.store, n)),
    async teardown(s) {
      await stopListener(s.listener);
      await s.store.close();
      await dropSchema(s.pool, s.schema);
      await s.pool.end();
    },
  }),
  defineBenchmark({
    name: 'latency/sqlite/tidings-relay-polling',
    group,
    anchor,
    note: `outbox append + commit → relay polling every ${sqlitePollMs} ms → durable handler in the other process`,
    size,
    async setup() {
      const tmp = tempDir();
      const filename = `${tmp.dir}/latency.db`;
      const store = createSqliteOutboxStore({ filename });
      const listener = await startListener(['tidings', filename, String(sqlitePollMs)]);
      return { tmp, filename, store, listener };
    },
    run: (s, count) => paced(s.listener, count, (n) => appendOne(s.store, n)),
    async teardown(s) {
      await stopListener(s.listener);
      await s.store.close();
      s.tmp.remove();
    },
    async versions(s) {
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(s.filename, { readonly: true });
      try {
        return sqliteVersion(db);
      } finally {
        db.close();
      }
    },
  }),
];
