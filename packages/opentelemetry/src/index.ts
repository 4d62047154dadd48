export * from './attributes.ts';
export * from './install.ts';
export * from './metrics.ts';
export * from './outbox-gauges.ts';
export * from './trace-context.ts';
export * from './tracing-middleware.ts';
