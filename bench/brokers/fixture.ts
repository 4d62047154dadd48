/**
 * What every broker benchmark shares: the one event type they carry (a payload of a typical
 * size), fresh events and their encoded messages, unique names, a bounded wait for a
 * condition, a pool that keeps many calls in flight, and the sizes per kind of peer.
 */
import { randomUUID } from 'node:crypto';
import {
  type AnyDomainEvent,
  createCatalog,
  defineEvent,
  type TransportMessage,
  toTransportMessage,
} from '@tidings/core';
import { z } from 'zod';

export const Ticked = defineEvent('bench.Ticked', {
  schema: z.object({ orderId: z.string(), sku: z.string(), quantity: z.number(), note: z.string() }),
});

export const catalog = createCatalog([Ticked]);

/** The one topic (event type) every broker benchmark uses; names are made unique per session. */
export const topic = Ticked.type;

// ~300 bytes on the wire, like a small real domain event.
const note = 'x'.repeat(120);

/** `count` fresh events; one subject per event so no per-key ordering limits the relay. */
export function benchEvents(count: number): AnyDomainEvent[] {
  return Array.from({ length: count }, (_, i) =>
    Ticked.create(
      { orderId: `o-${i}`, sku: 'sku-123', quantity: i % 7, note },
      { subject: { type: 'Order', id: `o-${i}` } },
    ),
  );
}

export function benchMessages(count: number): TransportMessage[] {
  return benchEvents(count).map((e) => toTransportMessage(e));
}

/** A short unique suffix for exchanges, streams, prefixes, schemas. */
export function uniqueId(): string {
  return randomUUID().replaceAll('-', '').slice(0, 12);
}

/** Waits until `condition` holds, checking every few milliseconds, for at most `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Benchmark stalled: ${what} within ${timeoutMs} ms.`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** Runs `work` for every item with at most `limit` calls in flight. */
export async function inFlight<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Splits `items` into slices of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Events per timed run: brokers move ~10k/s, the SNS/SQS emulator far fewer. */
export const throughputSize = (slow: boolean) =>
  slow ? { full: 2_000, quick: 300, smoke: 10 } : { full: 20_000, quick: 2_000, smoke: 10 };
