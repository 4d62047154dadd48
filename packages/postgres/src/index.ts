export type { PgQueryable, PgTx, PostgresOutboxStoreOptions } from './options.ts';
export * from './postgres-outbox-store.ts';
