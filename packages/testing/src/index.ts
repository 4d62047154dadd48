export * from './outbox-store-contract/index.ts';
export * from './transport-contract/index.ts';
export * from './spy/index.ts';
