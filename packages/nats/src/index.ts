export * from './nats-transport.ts';
export * from './options.ts';
export { consumerName, durableName, laneDurableName, laneSubject, partitionOf } from './subjects.ts';
