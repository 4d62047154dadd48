export * from './dead-letter.ts';
export * from './nats-transport.ts';
export * from './options.ts';
export { consumerName, deadLetterTopic, durableName } from './subjects.ts';
