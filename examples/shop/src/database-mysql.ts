/** The shop on MySQL / MariaDB: the shop's tables and the outbox side by side in one database. */
import { redactUrl } from '@tidings/core/spi';
import { createMysqlOutboxStore, type MysqlTx } from '@tidings/mysql';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import type { ShopDatabase } from './database.ts';

/** The prefix of the shop's tables and the outbox's. */
export const prefix = process.env.SHOP_TABLE_PREFIX ?? 'tidings_shop_';

export async function openMysqlShop(
  url: string,
  options: { fresh: boolean },
): Promise<ShopDatabase<MysqlTx>> {
  const pool = mysql.createPool({ uri: url, connectionLimit: 10 });
  const table = (name: string) => `\`${prefix}${name}\``;
  if (options.fresh) {
    // Deliveries reference events: drop them first.
    await pool.query(
      `DROP TABLE IF EXISTS ${['deliveries', 'events', 'inbox', 'migrations', 'users', 'orders', 'dashboard'].map(table).join(', ')}`,
    );
  }
  const store = createMysqlOutboxStore({ pool, tablePrefix: prefix });
  await store.migrate();
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${table('users')} (id VARCHAR(64) PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL)`,
  );
  await pool.query(
    `CREATE TABLE IF NOT EXISTS ${table('orders')} (id VARCHAR(64) PRIMARY KEY, user_id VARCHAR(64) NOT NULL, total_cents BIGINT NOT NULL)`,
  );
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table('dashboard')} (id INT PRIMARY KEY CHECK (id = 1),
    orders BIGINT NOT NULL, revenue_cents BIGINT NOT NULL, registrations BIGINT NOT NULL)`);
  await pool.query(`INSERT IGNORE INTO ${table('dashboard')} VALUES (1, 0, 0, 0)`);
  return {
    kind: 'mysql',
    location: `${redactUrl(url)} (tables ${prefix}*)`,
    store,
    async saveUser(tx, user) {
      await tx.query(`INSERT INTO ${table('users')} (id, name, email) VALUES (?, ?, ?)`, [
        user.id,
        user.name,
        user.email,
      ]);
    },
    async saveOrder(tx, order) {
      await tx.query(`INSERT INTO ${table('orders')} (id, user_id, total_cents) VALUES (?, ?, ?)`, [
        order.id,
        order.userId,
        order.totalCents,
      ]);
    },
    async bumpDashboard(tx, d) {
      await tx.query(
        `UPDATE ${table('dashboard')} SET orders = orders + ?, revenue_cents = revenue_cents + ?, registrations = registrations + ? WHERE id = 1`,
        [d.orders ?? 0, d.revenueCents ?? 0, d.registrations ?? 0],
      );
    },
    async readDashboard() {
      const [rows] = await pool.query<RowDataPacket[]>(
        `SELECT orders, revenue_cents, registrations FROM ${table('dashboard')} WHERE id = 1`,
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
