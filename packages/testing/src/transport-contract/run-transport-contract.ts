/**
 * The Transport contract suite: one set of vitest scenarios that every transport (the
 * in-memory one included) runs, modelled on Watermill's `pubsub/tests`. Each test opens
 * fresh clients and unique topic and group names, so files run in parallel on one broker.
 */
import { describe } from 'vitest';
import type { ContractContext, TransportContractOptions } from './options.ts';
import { deadLetterScenarios } from './scenarios/dead-letters.ts';
import { deliveryScenarios } from './scenarios/delivery.ts';
import { groupScenarios } from './scenarios/groups.ts';
import { interopScenarios } from './scenarios/interop.ts';
import { lifecycleScenarios } from './scenarios/lifecycle.ts';
import { orderingScenarios } from './scenarios/ordering.ts';
import { orderingMembersScenarios } from './scenarios/ordering-members.ts';
import { payloadScenarios } from './scenarios/payloads.ts';
import { reconnectScenarios } from './scenarios/reconnect.ts';
import { redeliveryScenarios } from './scenarios/redelivery.ts';

/**
 * Registers the transport contract as a `describe` block. Call it at the top level of a
 * test file; tests needing a capability the transport does not declare are skipped with
 * the reason in their name.
 *
 * @example
 * // packages/rabbitmq/src/contract.int.test.ts
 * import { runTransportContract } from '@tidings/testing';
 * runTransportContract({
 *   name: 'rabbitmq',
 *   features: rabbitFeatures,
 *   create: async () => createRabbitMqTransport({ connection: 'amqp://guest:guest@127.0.0.1:5672' }),
 * });
 */
export function runTransportContract(options: TransportContractOptions): void {
  const ctx: ContractContext = {
    name: options.name,
    features: options.features,
    create: options.create,
    crash: options.crash,
    dropConnection: options.dropConnection,
    interop: options.interop,
    balancesGroupMembers: options.balancesGroupMembers ?? true,
    timeoutMs: options.timeoutMs ?? 10_000,
  };
  describe(`Transport contract: ${options.name}`, () => {
    describe('delivery', () => deliveryScenarios(ctx));
    describe('consumer groups', () => groupScenarios(ctx));
    describe('redelivery', () => redeliveryScenarios(ctx));
    describe('ordering', () => orderingScenarios(ctx));
    describe('ordering across members', () => orderingMembersScenarios(ctx));
    describe('payloads', () => payloadScenarios(ctx));
    describe('CloudEvents interop', () => interopScenarios(ctx));
    describe('dead letters and dedup', () => deadLetterScenarios(ctx));
    describe('closing', () => lifecycleScenarios(ctx));
    describe('connection loss', () => reconnectScenarios(ctx));
  });
}
