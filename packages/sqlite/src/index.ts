export * from './options.ts';
export * from './sqlite-store.ts';
