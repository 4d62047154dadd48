export * from './consumer.ts';
export * from './dead-letter-sink.ts';
