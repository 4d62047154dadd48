export * from './kafka-transport.ts';
export * from './message-mapping.ts';
export * from './options.ts';
export * from './topic-name.ts';
