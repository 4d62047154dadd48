/**
 * Contract scenarios for redelivery: a rejected message comes back (after the asked delay
 * where declared), and a message a crashed consumer never acked reaches a live member.
 */
import { RetryLater } from '@tidings/core';
import { expect, it } from 'vitest';
import { createRecorder, makeMessage, makeMessages, uniqueName, useTransports } from '../harness.ts';
import { type ContractContext, titled } from '../options.ts';
import { createGate, waitFor } from '../wait-for.ts';

export function redeliveryScenarios(ctx: ContractContext): void {
  it('redelivers a message whose handler rejected', async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('reject');
    const rejected = new Set<string>();
    const recorder = createRecorder(ctx);
    await transport.subscribe(
      { group: uniqueName('g'), topics: [topic] },
      recorder.handler(async (m) => {
        if (rejected.has(m.id)) return;
        rejected.add(m.id);
        throw new Error('first delivery fails on purpose');
      }),
    );
    const sent = makeMessages(topic, 3);
    await transport.publish(sent);
    await waitFor(
      () => sent.every((s) => recorder.received.filter((m) => m.id === s.id).length >= 2),
      ctx.timeoutMs,
      'a second delivery of each rejected message',
    );
    for (const s of sent) {
      const deliveries = recorder.received.filter((m) => m.id === s.id);
      expect(deliveries[1]!.deliveryCount).toBeGreaterThanOrEqual(2);
      expect(Buffer.from(deliveries[1]!.body).equals(Buffer.from(s.body))).toBe(true);
    }
  });

  const noDelay = !ctx.features.delayedRedelivery;
  it.skipIf(noDelay)(
    titled(
      'redelivers no sooner than the delay a RetryLater asked for',
      noDelay,
      'delayedRedelivery not declared',
    ),
    async () => {
      const transport = await useTransports(ctx)();
      const topic = uniqueName('delay');
      const seenAt: number[] = [];
      await transport.subscribe({ group: uniqueName('g'), topics: [topic] }, async () => {
        seenAt.push(Date.now());
        if (seenAt.length === 1) throw new RetryLater('not yet', 400);
      });
      await transport.publish([makeMessage(topic, 1)]);
      await waitFor(() => seenAt.length >= 2, ctx.timeoutMs, 'the delayed redelivery');
      // A little slack for timer granularity; the point is "not at once".
      expect(seenAt[1]! - seenAt[0]!).toBeGreaterThanOrEqual(350);
    },
  );

  const noCrash = !ctx.features.redeliversUnacked || !ctx.crash;
  it.skipIf(noCrash)(
    titled(
      'redelivers to a live member what a crashed member never acked',
      noCrash,
      ctx.crash ? 'redeliversUnacked not declared' : 'no crash hook given',
    ),
    async () => {
      const open = useTransports(ctx);
      const doomed = await open();
      const survivor = await open();
      const topic = uniqueName('crash');
      const group = uniqueName('g');
      const gate = createGate();
      const dying = createRecorder(ctx);
      await doomed.subscribe(
        { group, topics: [topic] },
        dying.handler(() => gate.opened),
      );
      const sent = makeMessage(topic, 1);
      await survivor.publish([sent]);
      await dying.waitForIds([sent.id], 'the first delivery to the doomed member');
      await ctx.crash!(doomed);
      const living = createRecorder(ctx);
      await survivor.subscribe({ group, topics: [topic] }, living.handler());
      try {
        await living.waitForIds([sent.id], 'redelivery to the surviving member');
      } finally {
        gate.open();
      }
    },
  );
}
