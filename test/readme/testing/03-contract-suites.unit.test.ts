import { createMemoryBroker, createMemoryOutboxStore, createMemoryTransport } from '@tidings/core';
import { memoryTransportFeatures } from '@tidings/core/spi';
import { runOutboxStoreContract, runTransportContract } from '@tidings/testing';

// A store adapter runs the OutboxStore contract: a fresh store per test, a manual clock.
runOutboxStoreContract('memory', async ({ clock }) => {
  const store = createMemoryOutboxStore({ clock });
  return { store, peer: async () => store, close: () => store.close() };
});

// A transport adapter runs the Transport contract: `create` gives a new client of one
// shared broker each time, like another process would be.
const broker = createMemoryBroker();
runTransportContract({
  name: 'memory',
  features: memoryTransportFeatures,
  create: async () => createMemoryTransport({ broker }),
});
