/**
 * What an OutboxStore adapter hands the contract suite, and the events the suite appends.
 */

import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type AnyDomainEvent, defineEvent, type Inbox, type OutboxStore } from '@tidings/core';

export interface OutboxStoreFixture<Tx> {
  readonly store: OutboxStore<Tx> & Inbox<Tx>;
  /** A second store object over the same data through another connection: a second relay. */
  peer(): Promise<OutboxStore<Tx>>;
  /**
   * The store leases runs for `ClaimRequest.runs` (a store may also hand out heads only:
   * runs are a MAY). When true the suite checks that runs come; order is checked either way.
   */
  readonly claimsRuns?: boolean;
  /** Closes the store, its peers, and removes what the fixture created. */
  close(): Promise<void>;
}

export type CreateOutboxStoreFixture<Tx> = (options: {
  readonly clock: () => number;
}) => Promise<OutboxStoreFixture<Tx>>;

/** A schema that accepts any JSON object: the suite tests storage, not validation. */
const anyObject: StandardSchemaV1<Record<string, unknown>> = {
  '~standard': {
    version: 1,
    vendor: 'tidings-contract',
    validate: (value) =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { value: value as Record<string, unknown> }
        : { issues: [{ message: 'expected an object' }] },
  },
};

export const ItemAdded = defineEvent('contract.ItemAdded', { schema: anyObject });
export const ItemRemoved = defineEvent('contract.ItemRemoved', { schema: anyObject });

let counter = 0;

/** A fresh event of subject `subjectId` with an increasing sequence. */
export function makeEvent(
  subjectId: string | undefined,
  extra: {
    type?: 'added' | 'removed';
    causedBy?: AnyDomainEvent;
    occurredAt?: string;
    payload?: Record<string, unknown>;
  } = {},
): AnyDomainEvent {
  counter += 1;
  const definition = extra.type === 'removed' ? ItemRemoved : ItemAdded;
  return definition.create(extra.payload ?? { n: counter }, {
    ...(subjectId === undefined ? {} : { subject: { type: 'Cart', id: subjectId, sequence: counter } }),
    ...(extra.causedBy ? { causedBy: extra.causedBy } : {}),
    ...(extra.occurredAt ? { occurredAt: extra.occurredAt } : {}),
  });
}

/** A manual clock starting at a fixed instant. */
export function createManualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
