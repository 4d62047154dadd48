export * from './given-when-then/index.ts';
export * from './outbox-store-contract/index.ts';
export * from './spy/index.ts';
export * from './transport-contract/index.ts';
