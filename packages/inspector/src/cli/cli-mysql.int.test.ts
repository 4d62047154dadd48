/** The tidings CLI on a MySQL / MariaDB store: reads through a mysql:// URL and never creates tables. */
import { randomUUID } from 'node:crypto';
import { createMysqlOutboxStore } from '@tidings/mysql';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { type ShopStory, writeShopStory } from '../fixtures/shop-story.ts';
import { runCli } from './run-cli.ts';
import { captureIo } from './test-io.ts';

const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

async function tablesLike(prefix: string): Promise<string[]> {
  const connection = await mysql.createConnection({ uri: mysqlUrl });
  try {
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE ?',
      [`${prefix}%`],
    );
    return rows.map((row) => row.name as string);
  } finally {
    await connection.end();
  }
}

describe('tidings CLI against a MySQL store', () => {
  const prefix = `ti${randomUUID().replaceAll('-', '').slice(0, 12)}_`;
  afterAll(async () => {
    const connection = await mysql.createConnection({ uri: mysqlUrl });
    const tables = ['deliveries', 'events', 'inbox', 'migrations'].map((t) => `\`${prefix}${t}\``);
    await connection.query(`DROP TABLE IF EXISTS ${tables.join(', ')}`);
    await connection.end();
  });

  it('refuses tables that do not exist, creating none', async () => {
    const io = captureIo();
    expect(await runCli(['outbox', '--db', mysqlUrl, '--table-prefix', prefix], io)).toBe(2);
    expect(io.written.stderr).toBe(
      `error: ${mysqlUrl.replace(/\?.*$/, '')} has no Tidings store with table prefix "${prefix}" (no table ${prefix}migrations). ` +
        'Check --db and --table-prefix; nothing was created.\n',
    );
    expect(await tablesLike(prefix)).toEqual([]);
  });

  it('reads events and dead letters through a mysql:// URL', async () => {
    const store = createMysqlOutboxStore({ uri: mysqlUrl, tablePrefix: prefix });
    let story: ShopStory;
    try {
      story = await writeShopStory(store);
    } finally {
      await store.close();
    }
    const io = captureIo({ env: { DATABASE_URL: mysqlUrl } });
    expect(await runCli(['dead-letters', '--table-prefix', prefix, '--json'], io)).toBe(0);
    const { deadLetters } = JSON.parse(io.written.stdout) as { deadLetters: { eventId: string }[] };
    expect(deadLetters.map((d) => d.eventId)).toEqual([story.bounced.id]);
  });

  it('says which server it could not reach', async () => {
    const io = captureIo();
    expect(await runCli(['outbox', '--db', 'mysql://root:pw@127.0.0.1:1/test'], io)).toBe(2);
    expect(io.written.stderr).toMatch(
      /^error: Cannot open the store at mysql:\/\/root@127\.0\.0\.1:1\/test: .*ECONNREFUSED.*MySQL \/ MariaDB running/,
    );
  });
});
