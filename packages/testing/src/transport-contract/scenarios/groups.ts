/**
 * Contract scenarios for consumer groups: members of one group share messages, separate
 * groups each get every message.
 */
import { expect, it } from 'vitest';
import { createRecorder, duplicates, makeMessages, uniqueName, useTransports } from '../harness.ts';
import type { ContractContext } from '../options.ts';
import { waitFor } from '../wait-for.ts';

export function groupScenarios(ctx: ContractContext): void {
  it(`gives each message to one member of a group${ctx.balancesGroupMembers ? ', both members getting some' : ' (balancing not declared: only exclusivity checked)'}`, async () => {
    const open = useTransports(ctx);
    const [a, b] = [await open(), await open()];
    const topic = uniqueName('share');
    const group = uniqueName('g');
    const ra = createRecorder(ctx);
    const rb = createRecorder(ctx);
    // A short async pause per message lets the broker hand work to the other member.
    const slow = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
    await a.subscribe({ group, topics: [topic] }, ra.handler(slow));
    await b.subscribe({ group, topics: [topic] }, rb.handler(slow));
    const sent = makeMessages(topic, 60);
    await a.publish(sent);
    await waitFor(
      () => new Set([...ra.ids(), ...rb.ids()]).size === 60,
      ctx.timeoutMs,
      '60 messages across both members',
    );
    expect(duplicates([...ra.received, ...rb.received])).toEqual([]);
    if (ctx.balancesGroupMembers) {
      expect(ra.received.length).toBeGreaterThan(0);
      expect(rb.received.length).toBeGreaterThan(0);
    }
  });

  it('gives every message to each of two groups', async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('fanout');
    const r1 = createRecorder(ctx);
    const r2 = createRecorder(ctx);
    await transport.subscribe({ group: uniqueName('g1'), topics: [topic] }, r1.handler());
    await transport.subscribe({ group: uniqueName('g2'), topics: [topic] }, r2.handler());
    const sent = makeMessages(topic, 20);
    await transport.publish(sent);
    const ids = sent.map((m) => m.id);
    await r1.waitForIds(ids, 'all messages in group 1');
    await r2.waitForIds(ids, 'all messages in group 2');
  });
}
