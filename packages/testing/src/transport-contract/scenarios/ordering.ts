/**
 * Contract scenarios for per-key order: with several keys interleaved and concurrency > 1,
 * each key's messages reach the handler one at a time, in publish order; and one subject's
 * events of two types on one topic (its aggregate's lane) are handled in append order even
 * when some first deliveries fail and come back.
 */

import type { ReceivedMessage } from '@tidings/core';
import { expect, it } from 'vitest';
import { createRecorder, makeMessage, uniqueName, useTransports } from '../harness.ts';
import { type ContractContext, titled } from '../options.ts';
import { waitFor } from '../wait-for.ts';

export function orderingScenarios(ctx: ContractContext): void {
  const skip = !ctx.features.orderingByKey;
  it.skipIf(skip)(
    titled(
      'keeps publish order per key under concurrency, one message per key in flight',
      skip,
      'orderingByKey not declared',
    ),
    async () => {
      const transport = await useTransports(ctx)();
      const topic = uniqueName('order');
      const keys = ['a', 'b', 'c', 'd', 'e'].map((k) => `Order:${k}`);
      const sent = Array.from({ length: 100 }, (_, n) =>
        makeMessage(topic, n, { key: keys[n % keys.length]! }),
      );
      const inFlight = new Set<string>();
      const overlaps: string[] = [];
      const recorder = createRecorder(ctx);
      await transport.subscribe(
        { group: uniqueName('g'), topics: [topic], concurrency: 4 },
        recorder.handler(async (m) => {
          if (inFlight.has(m.key)) overlaps.push(m.key);
          inFlight.add(m.key);
          // Vary the handler time so a transport that does not serialise keys gets caught.
          await new Promise((resolve) => setTimeout(resolve, (m.body[5] ?? 0) % 3));
          inFlight.delete(m.key);
        }),
      );
      // Several publish calls in sequence: publish order is call order, then array order.
      for (let i = 0; i < sent.length; i += 25) await transport.publish(sent.slice(i, i + 25));
      await recorder.waitForIds(
        sent.map((m) => m.id),
        'all ordered messages',
      );
      expect(overlaps).toEqual([]);
      for (const key of keys) {
        const want = sent.filter((m) => m.key === key).map((m) => m.id);
        const got = recorder.received.filter((m) => m.key === key).map((m) => m.id);
        expect(got, `order of key ${key}`).toEqual(want);
      }
    },
  );

  it.skipIf(skip)(
    titled(
      "handles one subject's events of two types in append order, under concurrency and redelivery",
      skip,
      'orderingByKey not declared',
    ),
    async () => {
      const transport = await useTransports(ctx)();
      const topic = uniqueName('aggregate');
      const keys = ['Order:1', 'Order:2', 'Order:3'];
      const types = ['OrderPlaced', 'OrderShipped'];
      const sent = Array.from({ length: 30 }, (_, n) => {
        const key = keys[n % keys.length]!;
        const base = makeMessage(topic, n, { key });
        const type = types[Math.floor(n / keys.length) % types.length]!;
        return { ...base, headers: { ...base.headers, 'ce-type': type } };
      });
      // Every fourth message fails its first delivery: it must come back before its followers.
      const failFirst = new Set(sent.filter((_, n) => n % 4 === 1).map((m) => m.id));
      const handled: ReceivedMessage[] = [];
      const handledIds = new Set<string>();
      await transport.subscribe({ group: uniqueName('g'), topics: [topic], concurrency: 4 }, async (m) => {
        if (failFirst.delete(m.id)) {
          throw Object.assign(new Error('first delivery fails'), { retryDelayMs: 20 });
        }
        if (!handledIds.has(m.id)) handled.push(m);
        handledIds.add(m.id);
      });
      await transport.publish(sent);
      await waitFor(
        () => handledIds.size === sent.length,
        ctx.timeoutMs,
        'every event handled',
        () => `${handledIds.size} of ${sent.length}`,
      );
      for (const key of keys) {
        const want = sent.filter((m) => m.key === key).map((m) => `${m.headers['ce-type']}#${m.id}`);
        const got = handled.filter((m) => m.key === key).map((m) => `${m.headers['ce-type']}#${m.id}`);
        expect(got, `append order of subject ${key}`).toEqual(want);
      }
    },
  );
}
