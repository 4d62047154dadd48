export * from './typeorm-outbox-store.ts';
