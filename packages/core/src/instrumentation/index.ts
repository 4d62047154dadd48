export * from './delivery-notes.ts';
export * from './hooks.ts';
export * from './messaging.ts';
