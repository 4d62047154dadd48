export * from './dead-letter.ts';
export * from './options.ts';
export * from './redis-transport.ts';
