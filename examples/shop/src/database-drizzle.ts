/**
 * The shop written through Drizzle (`SHOP_ORM=drizzle`): the same tables and outbox store as
 * the raw SQLite or PostgreSQL shop, but the commands and the dashboard handler write with
 * Drizzle, and the outbox joins Drizzle's transactions through `@tidings/orm/drizzle`.
 */

import type { MysqlOutboxStore } from '@tidings/mysql';
import { createDrizzleOutboxStore } from '@tidings/orm/drizzle';
import type { PostgresOutboxStore } from '@tidings/postgres';
import type { SqliteOutboxStore } from '@tidings/sqlite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { int, bigint as mysqlBigint, mysqlTable, text as mysqlText, varchar } from 'drizzle-orm/mysql-core';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { bigint, integer, pgSchema, text as pgText } from 'drizzle-orm/pg-core';
import { integer as sqliteInteger, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';
import type { Dashboard, ShopDatabase } from './database.ts';
import { prefix } from './database-mysql.ts';
import { schema } from './database-postgres.ts';

function onPostgres(base: ShopDatabase<unknown>): ShopDatabase<unknown> {
  const shop = pgSchema(schema);
  const users = shop.table('shop_users', {
    id: pgText().primaryKey(),
    name: pgText().notNull(),
    email: pgText().notNull(),
  });
  const orders = shop.table('shop_orders', {
    id: pgText().primaryKey(),
    userId: pgText('user_id').notNull(),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
  });
  const dashboard = shop.table('shop_dashboard', {
    id: integer().primaryKey(),
    orders: bigint({ mode: 'number' }).notNull(),
    revenueCents: bigint('revenue_cents', { mode: 'number' }).notNull(),
    registrations: bigint({ mode: 'number' }).notNull(),
  });
  const db = drizzlePg((base.store as PostgresOutboxStore).pool);
  const store = createDrizzleOutboxStore({ db, store: base.store as PostgresOutboxStore });
  const bump = (d: Partial<Dashboard>) => ({
    orders: sql`${dashboard.orders} + ${d.orders ?? 0}`,
    revenueCents: sql`${dashboard.revenueCents} + ${d.revenueCents ?? 0}`,
    registrations: sql`${dashboard.registrations} + ${d.registrations ?? 0}`,
  });
  const typed: ShopDatabase<Parameters<typeof store.append>[0]> = {
    ...base,
    location: `${base.location}, through Drizzle`,
    store,
    saveUser: async (tx, user) => void (await tx.insert(users).values(user)),
    saveOrder: async (tx, order) => void (await tx.insert(orders).values(order)),
    bumpDashboard: async (tx, d) =>
      void (await tx.update(dashboard).set(bump(d)).where(sql`${dashboard.id} = 1`)),
  };
  return typed as ShopDatabase<unknown>;
}

function onSqlite(base: ShopDatabase<unknown>): ShopDatabase<unknown> {
  const users = sqliteTable('shop_users', {
    id: sqliteText().primaryKey(),
    name: sqliteText().notNull(),
    email: sqliteText().notNull(),
  });
  const orders = sqliteTable('shop_orders', {
    id: sqliteText().primaryKey(),
    userId: sqliteText('user_id').notNull(),
    totalCents: sqliteInteger('total_cents').notNull(),
  });
  const dashboard = sqliteTable('shop_dashboard', {
    id: sqliteInteger().primaryKey(),
    orders: sqliteInteger().notNull(),
    revenueCents: sqliteInteger('revenue_cents').notNull(),
    registrations: sqliteInteger().notNull(),
  });
  // One connection for Drizzle and the store, so the outbox rows commit with Drizzle's.
  const sqliteStore = base.store as SqliteOutboxStore;
  const db = drizzleSqlite(sqliteStore.database);
  const store = createDrizzleOutboxStore({ db, store: sqliteStore });
  const typed: ShopDatabase<Parameters<typeof store.append>[0]> = {
    ...base,
    location: `${base.location}, through Drizzle`,
    store,
    saveUser: async (tx, user) => void tx.insert(users).values(user).run(),
    saveOrder: async (tx, order) => void tx.insert(orders).values(order).run(),
    bumpDashboard: async (tx, d) =>
      void tx
        .update(dashboard)
        .set({
          orders: sql`${dashboard.orders} + ${d.orders ?? 0}`,
          revenueCents: sql`${dashboard.revenueCents} + ${d.revenueCents ?? 0}`,
          registrations: sql`${dashboard.registrations} + ${d.registrations ?? 0}`,
        })
        .where(sql`${dashboard.id} = 1`)
        .run(),
  };
  return typed as ShopDatabase<unknown>;
}

function onMysql(base: ShopDatabase<unknown>): ShopDatabase<unknown> {
  const users = mysqlTable(`${prefix}users`, {
    id: varchar({ length: 64 }).primaryKey(),
    name: mysqlText().notNull(),
    email: mysqlText().notNull(),
  });
  const orders = mysqlTable(`${prefix}orders`, {
    id: varchar({ length: 64 }).primaryKey(),
    userId: varchar('user_id', { length: 64 }).notNull(),
    totalCents: mysqlBigint('total_cents', { mode: 'number' }).notNull(),
  });
  const dashboard = mysqlTable(`${prefix}dashboard`, {
    id: int().primaryKey(),
    orders: mysqlBigint({ mode: 'number' }).notNull(),
    revenueCents: mysqlBigint('revenue_cents', { mode: 'number' }).notNull(),
    registrations: mysqlBigint({ mode: 'number' }).notNull(),
  });
  const mysqlStore = base.store as MysqlOutboxStore;
  const db = drizzleMysql({ client: mysqlStore.pool });
  const store = createDrizzleOutboxStore({ db, store: mysqlStore });
  const typed: ShopDatabase<Parameters<typeof store.append>[0]> = {
    ...base,
    location: `${base.location}, through Drizzle`,
    store,
    saveUser: async (tx, user) => void (await tx.insert(users).values(user)),
    saveOrder: async (tx, order) => void (await tx.insert(orders).values(order)),
    bumpDashboard: async (tx, d) =>
      void (await tx
        .update(dashboard)
        .set({
          orders: sql`${dashboard.orders} + ${d.orders ?? 0}`,
          revenueCents: sql`${dashboard.revenueCents} + ${d.revenueCents ?? 0}`,
          registrations: sql`${dashboard.registrations} + ${d.registrations ?? 0}`,
        })
        .where(sql`${dashboard.id} = 1`)),
  };
  return typed as ShopDatabase<unknown>;
}

/** The shop `base` opened (tables created, store ready), written through Drizzle. */
export function throughDrizzle(base: ShopDatabase<unknown>): ShopDatabase<unknown> {
  if (base.kind === 'postgres') return onPostgres(base);
  if (base.kind === 'mysql') return onMysql(base);
  return onSqlite(base);
}
