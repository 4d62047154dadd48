export * from './errors.ts';
export * from './tidings-error.ts';
