export * from './outbox-store-contract/index.ts';
