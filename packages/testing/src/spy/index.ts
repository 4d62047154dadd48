export * from './event-matcher.ts';
export * from './handler-spy.ts';
