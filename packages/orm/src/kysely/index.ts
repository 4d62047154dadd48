export * from './kysely-outbox-store.ts';
