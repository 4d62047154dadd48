/** The shop on SQLite: one file holds the shop's tables and the outbox. */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSqliteOutboxStore, type SqliteTx } from '@tidings/sqlite';
import type { ShopDatabase } from './database.ts';

export function openSqliteShop(filename: string, options: { fresh: boolean }): ShopDatabase<SqliteTx> {
  const path = resolve(filename);
  mkdirSync(dirname(path), { recursive: true });
  if (options.fresh) for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  const store = createSqliteOutboxStore({ filename: path });
  store.transaction(({ db }) => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS shop_users (id TEXT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS shop_orders (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, total_cents INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS shop_dashboard (id INTEGER PRIMARY KEY CHECK (id = 1),
        orders INTEGER NOT NULL, revenue_cents INTEGER NOT NULL, registrations INTEGER NOT NULL);
      INSERT OR IGNORE INTO shop_dashboard VALUES (1, 0, 0, 0);`);
  });
  return {
    kind: 'sqlite',
    location: path,
    store,
    async saveUser({ db }, user) {
      db.prepare('INSERT INTO shop_users (id, name, email) VALUES (?, ?, ?)').run(
        user.id,
        user.name,
        user.email,
      );
    },
    async saveOrder({ db }, order) {
      db.prepare('INSERT INTO shop_orders (id, user_id, total_cents) VALUES (?, ?, ?)').run(
        order.id,
        order.userId,
        order.totalCents,
      );
    },
    async bumpDashboard({ db }, d) {
      db.prepare(
        'UPDATE shop_dashboard SET orders = orders + ?, revenue_cents = revenue_cents + ?, registrations = registrations + ? WHERE id = 1',
      ).run(d.orders ?? 0, d.revenueCents ?? 0, d.registrations ?? 0);
    },
    async readDashboard() {
      return store.transaction(({ db }) => {
        const row = db
          .prepare('SELECT orders, revenue_cents, registrations FROM shop_dashboard WHERE id = 1')
          .get() as {
          orders: number;
          revenue_cents: number;
          registrations: number;
        };
        return { orders: row.orders, revenueCents: row.revenue_cents, registrations: row.registrations };
      });
    },
    close: () => store.close(),
  };
}
