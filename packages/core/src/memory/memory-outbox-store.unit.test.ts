import { runOutboxStoreContract } from '@tidings/testing';
import { createMemoryOutboxStore } from './memory-outbox-store.ts';

runOutboxStoreContract('memory', async ({ clock }) => {
  const store = createMemoryOutboxStore({ clock });
  return { store, claimsRuns: true, peer: async () => store, close: () => store.close() };
});
