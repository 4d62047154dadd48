export * from './mysql-outbox-store.ts';
export type { MysqlOutboxStoreOptions, MysqlTx } from './options.ts';
export type { MysqlDeliveryOutcome } from './settle.ts';
