/**
 * The README examples run against PostgreSQL, and the package README and the root README
 * quote them verbatim, so the docs cannot rot.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { createPostgresOutboxStore } from '@tidings/postgres';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { databaseUrl } from '../test/postgres.ts';
import { generatePrismaClient } from '../test/prisma-client.ts';
import { placeOrderWithDrizzle } from '../test/readme/drizzle.example.ts';
import { placeOrderWithPrisma } from '../test/readme/prisma.example.ts';
import { placeOrderWithPg } from '../test/readme/raw.example.ts';

const generated = await generatePrismaClient();
afterAll(() => generated.remove());

/** A schema with an orders table, and a pool whose search_path is that schema. */
async function freshSchema() {
  const schema = `orm_readme_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 3, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);
  await pool.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".orders (id TEXT PRIMARY KEY)`);
  onTestFinished(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  const committed = async () => {
    const store = createPostgresOutboxStore({ pool, schema });
    const events = await store.events();
    await store.close();
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM orders');
    return { orders: rows.map((row) => row.id), events: events.map((e) => e.event.payload) };
  };
  return { schema, pool, committed };
}

const examples = {
  raw: 'raw.example.ts',
  drizzle: 'drizzle.example.ts',
  prisma: 'prisma.example.ts',
} as const;

describe('the README examples', () => {
  it('raw pg: the order row and its event commit together', async () => {
    const { schema, pool, committed } = await freshSchema();
    await placeOrderWithPg(pool, schema, 'o-1');
    expect(await committed()).toEqual({ orders: ['o-1'], events: [{ orderId: 'o-1' }] });
  });

  it('Drizzle: the order row and its event commit together', async () => {
    const { schema, pool, committed } = await freshSchema();
    await placeOrderWithDrizzle(pool, schema, 'o-1');
    expect(await committed()).toEqual({ orders: ['o-1'], events: [{ orderId: 'o-1' }] });
  });

  it('Prisma: the order row and its event commit together', async () => {
    const { schema, pool, committed } = await freshSchema();
    const prisma = new generated.PrismaClient({
      adapter: new PrismaPg({ connectionString: databaseUrl, max: 1 }, { schema }),
    });
    onTestFinished(() => prisma.$disconnect());
    await placeOrderWithPrisma(prisma, pool, schema, 'o-1');
    expect(await committed()).toEqual({ orders: ['o-1'], events: [{ orderId: 'o-1' }] });
  });

  it.each(Object.entries(examples))('the READMEs quote the %s example', (_name, file) => {
    const source = readFileSync(new URL(`../test/readme/${file}`, import.meta.url), 'utf8');
    const example = source.split('// #region example\n')[1]!.split('// #endregion example')[0]!.trimEnd();
    expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(example);
    expect(readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')).toContain(example);
  });
});
