export * from './error-matcher.ts';
export * from './expected-event.ts';
export * from './scenario.ts';
