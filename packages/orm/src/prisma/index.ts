export * from './prisma-outbox-store.ts';
