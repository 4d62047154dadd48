/** The shop on PostgreSQL: its own schema holds the shop's tables and the outbox. */

import { redactUrl } from '@tidings/core/spi';
import { createPostgresOutboxStore, type PgTx } from '@tidings/postgres';
import pg from 'pg';
import type { ShopDatabase } from './database.ts';

/** The schema of the shop's tables and outbox. */
export const schema = process.env.SHOP_SCHEMA ?? 'tidings_shop';

export async function openPostgresShop(
  url: string,
  options: { fresh: boolean },
): Promise<ShopDatabase<PgTx>> {
  const pool = new pg.Pool({ connectionString: url });
  // An idle client lost its server (a restart): the pool replaces it; the shop carries on.
  pool.on('error', () => undefined);
  if (options.fresh) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const store = createPostgresOutboxStore({ pool, schema });
  await store.transaction(async (client) => {
    await client.query(`
      CREATE TABLE IF NOT EXISTS "${schema}".shop_users (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS "${schema}".shop_orders (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, total_cents BIGINT NOT NULL);
      CREATE TABLE IF NOT EXISTS "${schema}".shop_dashboard (id INT PRIMARY KEY CHECK (id = 1),
        orders BIGINT NOT NULL, revenue_cents BIGINT NOT NULL, registrations BIGINT NOT NULL);
      INSERT INTO "${schema}".shop_dashboard VALUES (1, 0, 0, 0) ON CONFLICT DO NOTHING;`);
  });
  return {
    kind: 'postgres',
    location: `${redactUrl(url)} (schema ${schema})`,
    store,
    async saveUser(client, user) {
      await client.query(`INSERT INTO "${schema}".shop_users (id, name, email) VALUES ($1, $2, $3)`, [
        user.id,
        user.name,
        user.email,
      ]);
    },
    async saveOrder(client, order) {
      await client.query(
        `INSERT INTO "${schema}".shop_orders (id, user_id, total_cents) VALUES ($1, $2, $3)`,
        [order.id, order.userId, order.totalCents],
      );
    },
    async bumpDashboard(client, d) {
      await client.query(
        `UPDATE "${schema}".shop_dashboard SET orders = orders + $1, revenue_cents = revenue_cents + $2, registrations = registrations + $3 WHERE id = 1`,
        [d.orders ?? 0, d.revenueCents ?? 0, d.registrations ?? 0],
      );
    },
    async readDashboard() {
      const { rows } = await pool.query(
        `SELECT orders, revenue_cents, registrations FROM "${schema}".shop_dashboard WHERE id = 1`,
      );
      const row = rows[0] as { orders: string; revenue_cents: string; registrations: string };
      return {
        orders: Number(row.orders),
        revenueCents: Number(row.revenue_cents),
        registrations: Number(row.registrations),
      };
    },
    async close() {
      await store.close();
      await pool.end();
    },
  };
}
