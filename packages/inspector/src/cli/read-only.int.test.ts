import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';
import { captureIo } from './test-io.ts';

// Read-only commands on a store that is not there: a clear error, exit 2, nothing created.
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const unique = () => randomUUID().replaceAll('-', '').slice(0, 16);

async function run(...argv: string[]) {
  const io = captureIo({ cwd: tmpdir() });
  const code = await runCli(argv, io);
  return { code, ...io.written };
}

describe('read-only CLI commands on PostgreSQL', () => {
  const typo = `t_typo_${unique()}`;
  const bare = `t_bare_${unique()}`;
  const client = new pg.Client({ connectionString: databaseUrl });
  const tablesIn = async (schema: string) =>
    (await client.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema])).rows;
  const schemaExists = async (schema: string) =>
    (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;

  beforeAll(async () => {
    await client.connect();
    await client.query(`CREATE SCHEMA "${bare}"`);
  });
  afterAll(async () => {
    for (const schema of [typo, bare]) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('says a mistyped schema does not exist and creates none', async () => {
    for (const command of ['outbox', 'events', 'dead-letters']) {
      const { code, stderr } = await run(command, '--db', databaseUrl, '--schema', typo);
      expect(code).toBe(2);
      expect(stderr).toContain(`The schema "${typo}" does not exist`);
    }
    expect(await schemaExists(typo)).toBe(false);
  });

  it('says a schema without the store has none, and adds no table to it', async () => {
    const { code, stderr } = await run('outbox', '--db', databaseUrl, '--schema', bare);
    expect(code).toBe(2);
    expect(stderr).toContain(`The schema "${bare}" has no Tidings store with table prefix "tidings_"`);
    const prefixed = await run('events', '--db', databaseUrl, '--schema', bare, '--table-prefix', 'typo_');
    expect(prefixed.stderr).toContain('(no table typo_migrations)');
    expect(await tablesIn(bare)).toEqual([]);
  });
});

describe('read-only CLI commands on SQLite', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-read-only-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a path that does not exist and creates no file', async () => {
    const path = join(dir, 'missing', 'shop.db');
    const { code, stderr } = await run('outbox', '--db', path);
    expect(code).toBe(2);
    expect(stderr).toContain(`No SQLite database at ${path}`);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a SQLite file without the store and adds no table to it', async () => {
    const path = join(dir, 'other.db');
    const other = new Database(path);
    other.exec('CREATE TABLE notes (body TEXT)');
    other.close();
    const { code, stderr } = await run('events', '--db', path, '--table-prefix', 'typo_');
    expect(code).toBe(2);
    expect(stderr).toContain(
      `${path} has no Tidings store with table prefix "typo_" (no table typo_migrations)`,
    );
    const reopened = new Database(path, { readonly: true });
    const tables = reopened.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    reopened.close();
    expect(tables).toEqual([{ name: 'notes' }]);
  });
});
