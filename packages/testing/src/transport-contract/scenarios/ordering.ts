/**
 * Contract scenario for per-key order: with several keys interleaved and concurrency > 1,
 * each key's messages reach the handler one at a time, in publish order.
 */
import { expect, it } from 'vitest';
import { createRecorder, makeMessage, uniqueName, useTransports } from '../harness.ts';
import { type ContractContext, titled } from '../options.ts';

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
}
