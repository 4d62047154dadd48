/**
 * The OutboxStore contract: one suite every store runs (in-memory, SQLite, PostgreSQL),
 * with a fresh store per test and a manual clock, so leases and backoff are tested without
 * waiting.
 */
import { describe } from 'vitest';
import { auditScenarios } from './audit.ts';
import { claimScenarios } from './claims.ts';
import { useContractContext } from './context.ts';
import { failureScenarios } from './failures.ts';
import type { CreateOutboxStoreFixture } from './fixture.ts';
import { inboxBatchScenarios } from './inbox-batch.ts';
import { leaseScenarios } from './leases.ts';
import { receivedDeadLetterScenarios } from './received-dead-letters.ts';
import { runScenarios } from './runs.ts';
import { settleScenarios } from './settle.ts';
import { transactionScenarios } from './transactions.ts';

export type { CreateOutboxStoreFixture, OutboxStoreFixture } from './fixture.ts';
export { createManualClock } from './fixture.ts';
export { makeReceivedDeadLetter } from './received-dead-letters.ts';

/**
 * Runs the OutboxStore contract against a store.
 *
 * @example
 * runOutboxStoreContract('sqlite', async ({ clock }) => {
 *   const store = createSqliteOutboxStore({ filename: tempFile(), clock });
 *   return { store, peer: async () => createSqliteOutboxStore({ filename, clock }), close: () => store.close() };
 * });
 */
export function runOutboxStoreContract<Tx>(name: string, create: CreateOutboxStoreFixture<Tx>): void {
  describe(`OutboxStore contract: ${name}`, () => {
    const context = useContractContext(create);
    describe('transactions and inbox', () => transactionScenarios(context));
    describe('inbox batches and group commit', () => inboxBatchScenarios(context));
    describe('claims', () => claimScenarios(context));
    describe('settle', () => settleScenarios(context));
    describe('lease extension', () => leaseScenarios(context));
    describe('runs', () => runScenarios(context));
    describe('failures', () => failureScenarios(context));
    describe('audit log', () => auditScenarios(context));
    describe('received dead letters', () => receivedDeadLetterScenarios(context));
  });
}
