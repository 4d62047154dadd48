/**
 * Contract scenarios for closing: close() drains in-flight handlers and is safe to call
 * concurrently, publish after close rejects with ClosedError, and closing or aborting a
 * subscription stops its delivery while the group keeps the messages.
 */
import { ClosedError } from '@tidings/core';
import { expect, it } from 'vitest';
import { createRecorder, makeMessage, uniqueName, useTransports } from '../harness.ts';
import type { ContractContext } from '../options.ts';
import { createGate } from '../wait-for.ts';

export function lifecycleScenarios(ctx: ContractContext): void {
  it('resolves concurrent close() calls only after the in-flight handler finished', async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('drain');
    const gate = createGate();
    let finished = false;
    const recorder = createRecorder(ctx);
    await transport.subscribe(
      { group: uniqueName('g'), topics: [topic] },
      recorder.handler(async () => {
        await gate.opened;
        finished = true;
      }),
    );
    const sent = makeMessage(topic, 1);
    await transport.publish([sent]);
    await recorder.waitForIds([sent.id], 'the message to be in flight');
    const finishedWhenClosed: boolean[] = [];
    const closes = [1, 2, 3].map(() => transport.close().then(() => finishedWhenClosed.push(finished)));
    // Give a wrongly eager close() the chance to resolve before the handler may finish.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finishedWhenClosed).toEqual([]);
    gate.open();
    await Promise.all(closes);
    expect(finishedWhenClosed).toEqual([true, true, true]);
    await transport.close();
  });

  it('resolves subscription close() only after its in-flight handler finished and acked', async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('subdrain');
    const group = uniqueName('g');
    const gate = createGate();
    let finished = false;
    const first = createRecorder(ctx);
    const subscription = await transport.subscribe(
      { group, topics: [topic] },
      first.handler(async () => {
        await gate.opened;
        finished = true;
      }),
    );
    const sent = makeMessage(topic, 1);
    await transport.publish([sent]);
    await first.waitForIds([sent.id], 'the message to be in flight');
    const closed = subscription.close().then(() => finished);
    gate.open();
    expect(await closed).toBe(true);
    // Acked before close resolved: a later member of the group gets only newer messages.
    const later = makeMessage(topic, 2);
    await transport.publish([later]);
    const second = createRecorder(ctx);
    await transport.subscribe({ group, topics: [topic] }, second.handler());
    await second.waitForIds([later.id], 'the newer message');
    expect(second.ids().has(sent.id)).toBe(false);
  });

  it('rejects publish() after close() with ClosedError', async () => {
    const transport = await useTransports(ctx)();
    await transport.close();
    const error = await transport.publish([makeMessage(uniqueName('closed'), 1)]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ClosedError.is(error), `expected ClosedError, got ${String(error)}`).toBe(true);
  });

  for (const how of ['close()', 'its abort signal'] as const) {
    it(`stops a subscription by ${how}; the group keeps later messages`, async () => {
      const transport = await useTransports(ctx)();
      const topic = uniqueName('stop');
      const group = uniqueName('g');
      const first = createRecorder(ctx);
      const controller = new AbortController();
      const subscription = await transport.subscribe({ group, topics: [topic] }, first.handler(), {
        signal: controller.signal,
      });
      const before = makeMessage(topic, 1);
      await transport.publish([before]);
      await first.waitForIds([before.id], 'the message before stopping');
      if (how === 'close()') await subscription.close();
      else {
        controller.abort();
        // close() after abort is the documented way to wait for the drain; it must not throw.
        await subscription.close();
      }
      const after = makeMessage(topic, 2);
      await transport.publish([after]);
      const second = createRecorder(ctx);
      await transport.subscribe({ group, topics: [topic] }, second.handler());
      await second.waitForIds([after.id], 'the later message at a new member');
      expect(first.ids().has(after.id)).toBe(false);
    });
  }
}
