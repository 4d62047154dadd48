import { execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const main = new URL('./main.ts', import.meta.url).pathname;
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function start(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'shop-'));
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', main, '--once'],
    {
      env: {
        ...process.env,
        NO_COLOR: '1',
        SHOP_DB: join(dir, 'shop.db'),
        SHOP_MAIL_DIR: join(dir, 'mail'),
        ...env,
      },
      timeout: 60_000,
    },
  );
  return stdout;
}

const expected =
  'shop: 3 users registered, 3 orders placed, 2 e-mails sent, 1 dead letter(s), dashboard orders=3 revenue=$346.00 registrations=3';

const mysqlUrl = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

const schema = `shop_test_${process.pid}`;
const tablePrefix = `shop_test_${process.pid}_`;

afterAll(async () => {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_drizzle" CASCADE`);
  await client.end();
  const connection = await mysql.createConnection({ uri: mysqlUrl });
  const tables = ['deliveries', 'events', 'inbox', 'migrations', 'users', 'orders', 'dashboard'];
  for (const prefix of [tablePrefix, `${tablePrefix}drizzle_`]) {
    await connection.query(`DROP TABLE IF EXISTS ${tables.map((t) => `\`${prefix}${t}\``).join(', ')}`);
  }
  await connection.end();
});

describe('npm start -- --once', () => {
  it('plays the story on the embedded SQLite store and exits 0 with the summary', async () => {
    const stdout = await start({ DATABASE_URL: '' });
    expect(stdout).toContain('sqlite at');
    expect(stdout).toContain('send-order-confirmation handled OrderPlaced o-1002 (attempt 2)');
    expect(stdout).toContain('lines[0].quantity');
    expect(stdout.trim().split('\n').at(-1)).toBe(expected);
  });

  it('plays the same story on PostgreSQL when DATABASE_URL is set', async () => {
    const stdout = await start({ DATABASE_URL: databaseUrl, SHOP_SCHEMA: schema });
    expect(stdout).toContain('postgres at');
    expect(stdout.trim().split('\n').at(-1)).toBe(expected);
  });

  it('plays the same story on MySQL / MariaDB when DATABASE_URL is a mysql:// URL', async () => {
    const stdout = await start({ DATABASE_URL: mysqlUrl, SHOP_TABLE_PREFIX: tablePrefix });
    expect(stdout).toContain(`mysql at ${mysqlUrl}`);
    expect(stdout.trim().split('\n').at(-1)).toBe(expected);
  });

  it('plays the same story through Drizzle (SHOP_ORM=drizzle) on SQLite, PostgreSQL and MySQL', async () => {
    const [onSqlite, onPostgres, onMysql] = await Promise.all([
      start({ DATABASE_URL: '', SHOP_ORM: 'drizzle' }),
      start({ DATABASE_URL: databaseUrl, SHOP_SCHEMA: `${schema}_drizzle`, SHOP_ORM: 'drizzle' }),
      start({ DATABASE_URL: mysqlUrl, SHOP_TABLE_PREFIX: `${tablePrefix}drizzle_`, SHOP_ORM: 'drizzle' }),
    ]);
    expect(onMysql).toContain('through Drizzle');
    expect(onMysql.trim().split('\n').at(-1)).toBe(expected);
    expect(onSqlite).toContain('through Drizzle');
    expect(onSqlite.trim().split('\n').at(-1)).toBe(expected);
    expect(onPostgres).toContain('postgres at');
    expect(onPostgres).toContain('through Drizzle');
    expect(onPostgres.trim().split('\n').at(-1)).toBe(expected);
  });

  it('without --once keeps running and serves the inspector on the shop database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shop-'));
    const child = spawn(process.execPath, ['--conditions=@tidings/source', '--import', 'tsx', main], {
      env: {
        ...process.env,
        NO_COLOR: '1',
        DATABASE_URL: '',
        SHOP_DB: join(dir, 'shop.db'),
        SHOP_MAIL_DIR: join(dir, 'mail'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let output = '';
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /Inspector: (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(output);
          if (match) resolve(match[1] as string);
        });
        child.once('exit', (code) => reject(new Error(`shop exited with ${code}: ${output}`)));
      });
      const token = new URL(url).searchParams.get('token') as string;
      const api = (path: string) => fetch(new URL(path, url), { headers: { 'x-tidings-token': token } });
      const events = (await (await api('/api/events')).json()) as { events: { type: string }[] };
      expect(JSON.stringify(events)).toContain('shop.OrderConfirmationSent');
      const dead = await (await api('/api/dead-letters')).text();
      expect(dead).toContain('linus@bounce.invalid');
      expect((await fetch(new URL('/api/events', url))).status).toBe(401);
    } finally {
      child.kill('SIGINT');
    }
  });
});
