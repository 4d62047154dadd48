/**
 * One retry budget (issues #11/#12): a consumer whose handler allows more attempts than the
 * transport's `maxDeliveries` (default 20) must still decide every message itself. The
 * consumer raises the subscription's limit to maxAttempts + 1, so no entry is acked
 * unhandled before the consumer's dead-letter sink has it.
 */
import { randomBytes } from 'node:crypto';
import {
  createCatalog,
  createConsumer,
  createMemoryDeadLetterSink,
  defineEvent,
  durableHandler,
  toTransportMessage,
} from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { Redis } from 'ioredis';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { z } from 'zod';
import { createRedisTransport } from './redis-transport.ts';

const url = 'redis://127.0.0.1:6379';
const suffix = randomBytes(4).toString('hex');
const prefix = `tc-budget-${suffix}:`;

afterAll(async () => {
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

async function run(name: string, maxAttempts: number, failures: number) {
  // Its own event type (= topic): a group starts at the earliest entry of its topics.
  const Pinged = defineEvent(`budget.${name}`, { schema: z.object({ n: z.number() }) });
  const catalog = createCatalog([Pinged]);
  const errors: unknown[] = [];
  // The transport's own backstop stays at its default (20).
  const transport = await createRedisTransport({
    connection: url,
    prefix,
    blockMs: 200,
    onError: (error) => errors.push(error),
  });
  onTestFinished(() => transport.close());
  const deadLetters = createMemoryDeadLetterSink();
  const state = { calls: 0, handled: 0 };
  const handler = durableHandler(
    name,
    Pinged,
    () => {
      state.calls += 1;
      if (state.calls <= failures) throw new Error(`failure ${state.calls}`);
      state.handled += 1;
    },
    { retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 } },
  );
  const consumer = createConsumer({ transport, catalog, deadLetters, handlers: [handler] });
  await consumer.start();
  onTestFinished(() => consumer.close());
  await transport.publish([toTransportMessage(Pinged.create({ n: 1 }))]);
  return { state, deadLetters, errors };
}

it('handles a message that fails 22 times under maxAttempts 25, past the transport default of 20', async () => {
  const { state, deadLetters, errors } = await run(`patient-${suffix}`, 25, 22);
  await waitUntil(() => state.handled === 1 || errors.length > 0, 'the 23rd attempt', 20_000);
  expect(errors).toEqual([]);
  expect(state).toEqual({ calls: 23, handled: 1 });
  expect(deadLetters.records).toEqual([]);
});

it('dead-letters, with the handler reason, a message that always fails under maxAttempts 3', async () => {
  const { state, deadLetters, errors } = await run(`doomed-${suffix}`, 3, Number.POSITIVE_INFINITY);
  await waitUntil(() => deadLetters.records.length === 1, 'the dead letter', 20_000);
  expect(state.calls).toBe(3);
  expect(deadLetters.records[0]).toMatchObject({ handler: `doomed-${suffix}`, attempts: 3 });
  expect(deadLetters.records[0]?.reason).toMatch(/failure 3/);
  expect(errors).toEqual([]);
});
