import { runTransportContract } from '@tidings/testing';
import {
  createMemoryBroker,
  createMemoryTransport,
  type MemoryTransport,
  memoryTransportFeatures,
} from './memory-transport.ts';

// One broker for the file: tests use unique topics and groups, so they do not meet.
const broker = createMemoryBroker();

runTransportContract({
  name: 'memory',
  features: memoryTransportFeatures,
  create: async () => createMemoryTransport({ broker }),
  crash: async (transport) => (transport as MemoryTransport).crash(),
  timeoutMs: 5_000,
});
