/**
 * Proof against crashes: a relay runs in a child process and is killed with SIGKILL at
 * random points while 10,000 events stream into the outbox; a new relay takes over each
 * time. Afterwards every event has had its effect exactly once (the inbox) and each
 * subject's events were handled in sequence order — on SQLite, PostgreSQL and MySQL / MariaDB.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOutbox } from '@tidings/core';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { effectHandler, Ticked } from './crash-app.ts';
import { type CrashDb, openCrashDb } from './crash-db.ts';

const EVENTS = 10_000;
const SUBJECTS = 100;
const KILLS = 4;
const worker = new URL('./relay-worker.ts', import.meta.url).pathname;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

function startRelay(target: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=@tidings/source', '--import', 'tsx', worker, target], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`relay worker exited early with ${code}`)));
    child.stdout?.once('data', () => resolve(child));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Resolves once `check` holds, checking the database every few milliseconds. */
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function crashScenario(target: string) {
  const db: CrashDb = await openCrashDb(target);
  const outbox = createOutbox({ store: db.store, handlers: [effectHandler(db)] });
  const sequences = new Array<number>(SUBJECTS).fill(0);
  const produce = async () => {
    for (let sent = 0; sent < EVENTS; sent += 100) {
      const events = Array.from({ length: 100 }, (_, i) => {
        const s = (sent + i) % SUBJECTS;
        sequences[s] = (sequences[s] ?? 0) + 1;
        return Ticked.create(
          { n: sent + i },
          { subject: { type: 'Clock', id: `c-${s}`, sequence: sequences[s] } },
        );
      });
      await outbox.transaction((_tx, record) => record(events));
    }
  };
  const producing = produce();
  let relay = await startRelay(target);
  for (let k = 0; k < KILLS; k++) {
    const before = (await db.summary()).effects;
    const step = 300 + Math.floor(Math.random() * 1500);
    await until(
      async () => (await db.summary()).effects >= Math.min(EVENTS, before + step),
      `progress before kill ${k + 1}`,
    );
    await kill(relay);
    relay = await startRelay(target);
  }
  await producing;
  await until(async () => (await db.store.stats()).every((s) => s.pending === 0), 'the backlog to drain');
  await kill(relay);

  const summary = await db.summary();
  const stats = await db.store.stats();
  await db.close();
  return { summary, stats };
}

describe('relay killed with SIGKILL during a stream of 10,000 events', () => {
  it('SQLite: every event handled once, in subject order', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'crash-')), 'outbox.db');
    const { summary, stats } = await crashScenario(file);
    expect(summary).toEqual({ effects: EVENTS, distinct: EVENTS, outOfOrder: 0 });
    expect(stats).toEqual([
      { consumer: 'record-effect', pending: 0, done: EVENTS, dead: 0, retrying: 0, oldestPendingAgeMs: 0 },
    ]);
  }, 300_000);

  it('PostgreSQL: every event handled once, in subject order', async () => {
    const schema = `crash_${process.pid}`;
    const url = new URL(databaseUrl);
    url.searchParams.set('schema', schema);
    try {
      const { summary, stats } = await crashScenario(url.toString());
      expect(summary).toEqual({ effects: EVENTS, distinct: EVENTS, outOfOrder: 0 });
      expect(stats).toEqual([
        { consumer: 'record-effect', pending: 0, done: EVENTS, dead: 0, retrying: 0, oldestPendingAgeMs: 0 },
      ]);
    } finally {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  }, 300_000);

  it('MySQL / MariaDB: every event handled once, in subject order', async () => {
    const prefix = `crash_${process.pid}_`;
    const url = new URL(mysqlUrl);
    url.searchParams.set('prefix', prefix);
    try {
      const { summary, stats } = await crashScenario(url.toString());
      expect(summary).toEqual({ effects: EVENTS, distinct: EVENTS, outOfOrder: 0 });
      expect(stats).toEqual([
        { consumer: 'record-effect', pending: 0, done: EVENTS, dead: 0, retrying: 0, oldestPendingAgeMs: 0 },
      ]);
    } finally {
      const connection = await mysql.createConnection({ uri: mysqlUrl });
      const tables = ['effects', 'deliveries', 'events', 'inbox', 'migrations'].map(
        (t) => `\`${prefix}${t}\``,
      );
      await connection.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
      await connection.end();
    }
  }, 300_000);
});
