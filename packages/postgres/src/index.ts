export * from './options.ts';
export * from './postgres-outbox-store.ts';
