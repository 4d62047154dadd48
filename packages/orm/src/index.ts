export type { OrmBridge } from './shared/orm-bridge.ts';
export { createOrmOutboxStore, type OrmOutboxStore } from './shared/orm-outbox-store.ts';
export type {
  QueryableStore,
  SqliteConnection,
  SqliteStore,
  SqlQueryable,
  WrappableStore,
} from './shared/stores.ts';
