/** Per-test state shared by the contract's scenario files: a fresh store and a manual clock. */
import type { AnyDomainEvent, OutboxStore } from '@tidings/core';
import type { Delivery, DeliveryOutcome, DeliveryRef } from '@tidings/core/spi';
import { afterEach, beforeEach } from 'vitest';
import { type CreateOutboxStoreFixture, createManualClock, type OutboxStoreFixture } from './fixture.ts';

export interface ContractContext<Tx> {
  fixture: OutboxStoreFixture<Tx>;
  store: OutboxStoreFixture<Tx>['store'];
  clock: ReturnType<typeof createManualClock>;
  /** Appends events in one committed transaction, each owed to `consumers`. */
  append(events: readonly AnyDomainEvent[], consumers?: readonly string[]): Promise<void>;
  /** Claims for `consumers` as `owner`. */
  claim(
    owner: string,
    consumers?: readonly string[],
    limit?: number,
    store?: OutboxStore<Tx>,
  ): Promise<readonly Delivery[]>;
}

export function ref(delivery: Delivery): DeliveryRef {
  return { eventId: delivery.event.id, consumer: delivery.consumer, owner: delivery.owner };
}

/** Outcomes of a claimed delivery, for `settle`. */
export const asDone = (d: Delivery): DeliveryOutcome => ({ ...ref(d), outcome: 'done' });
export const asRetry = (d: Delivery, error: string, retryAt: number): DeliveryOutcome => ({
  ...ref(d),
  outcome: 'retry',
  error,
  retryAt,
});
export const asDead = (d: Delivery, error: string): DeliveryOutcome => ({
  ...ref(d),
  outcome: 'dead',
  error,
});
export const asReleased = (d: Delivery): DeliveryOutcome => ({ ...ref(d), outcome: 'released' });

export const LEASE_MS = 10_000;

/** Registers hooks creating a fresh store per test; read the returned object inside tests. */
export function useContractContext<Tx>(create: CreateOutboxStoreFixture<Tx>): ContractContext<Tx> {
  const context = {} as ContractContext<Tx>;
  beforeEach(async () => {
    context.clock = createManualClock();
    context.fixture = await create({ clock: context.clock.now });
    context.store = context.fixture.store;
    context.append = (events, consumers = ['c']) =>
      context.store.transaction((tx) =>
        context.store.append(
          tx,
          events.map((event) => ({ event, consumers })),
        ),
      );
    context.claim = (owner, consumers = ['c'], limit = 100, store = context.store) =>
      store.claim({ consumers, limit, leaseMs: LEASE_MS, owner });
  });
  afterEach(async () => {
    await context.fixture?.close();
  });
  return context;
}
