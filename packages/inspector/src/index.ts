export * from './api/causation-graph.ts';
export * from './api/event-filter.ts';
export * from './api/inspector-api.ts';
export * from './api/redrive.ts';
export * from './api/timeseries.ts';
export * from './server/start-inspector.ts';
export * from './store/open-store.ts';
