export * from './options.ts';
export * from './redis-transport.ts';
