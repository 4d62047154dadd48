export * from './drizzle-outbox-store.ts';
