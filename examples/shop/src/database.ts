/**
 * The shop's own tables (users, orders, the analytics dashboard) next to the outbox, in
 * one database: SQLite by default, PostgreSQL or MySQL / MariaDB when DATABASE_URL is a
 * postgres:// or mysql:// URL; written with raw SQL, or through Drizzle with SHOP_ORM=drizzle.
 * The business writes and the outbox append share one transaction.
 */
import type { Inbox, OutboxStore } from '@tidings/core';

export interface Dashboard {
  readonly orders: number;
  readonly revenueCents: number;
  readonly registrations: number;
}

export interface ShopDatabase<Tx> {
  readonly kind: 'sqlite' | 'postgres' | 'mysql';
  /** Where the database lives, for people (a file path or a URL without password). */
  readonly location: string;
  readonly store: OutboxStore<Tx> & Inbox<Tx>;
  saveUser(tx: Tx, user: { id: string; name: string; email: string }): Promise<void>;
  saveOrder(tx: Tx, order: { id: string; userId: string; totalCents: number }): Promise<void>;
  bumpDashboard(tx: Tx, delta: Partial<Dashboard>): Promise<void>;
  readDashboard(): Promise<Dashboard>;
  close(): Promise<void>;
}

/** Opens the database the environment names; `fresh` starts from empty tables. */
export async function openShopDatabase(options: { fresh: boolean }): Promise<ShopDatabase<unknown>> {
  const orm = process.env.SHOP_ORM ?? '';
  if (orm !== '' && orm !== 'drizzle') {
    throw new Error(
      `SHOP_ORM=${JSON.stringify(orm)} is not known; use SHOP_ORM=drizzle, or leave it unset for raw SQL.`,
    );
  }
  const base = await openRawShopDatabase(options);
  if (orm === '') return base;
  const { throughDrizzle } = await import('./database-drizzle.ts');
  return throughDrizzle(base);
}

async function openRawShopDatabase(options: { fresh: boolean }): Promise<ShopDatabase<unknown>> {
  const url = process.env.DATABASE_URL;
  if (url?.startsWith('postgres')) {
    const { openPostgresShop } = await import('./database-postgres.ts');
    return (await openPostgresShop(url, options)) as ShopDatabase<unknown>;
  }
  if (url?.startsWith('mysql') || url?.startsWith('mariadb')) {
    const { openMysqlShop } = await import('./database-mysql.ts');
    return (await openMysqlShop(url, options)) as ShopDatabase<unknown>;
  }
  const { openSqliteShop } = await import('./database-sqlite.ts');
  return openSqliteShop(process.env.SHOP_DB ?? '.data/shop.db', options) as ShopDatabase<unknown>;
}
