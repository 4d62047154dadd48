/**
 * Contract scenario for connection loss: after the connection drops, the client reconnects
 * by itself and both publishing and consuming work again.
 */
import { it } from 'vitest';
import { createRecorder, makeMessage, uniqueName, useTransports } from '../harness.ts';
import { type ContractContext, titled } from '../options.ts';
import { eventually } from '../wait-for.ts';

export function reconnectScenarios(ctx: ContractContext): void {
  const skip = !ctx.dropConnection;
  it.skipIf(skip)(
    titled('publishes and consumes again after the connection dropped', skip, 'no dropConnection hook given'),
    async () => {
      const transport = await useTransports(ctx)();
      const topic = uniqueName('reconnect');
      const recorder = createRecorder(ctx);
      await transport.subscribe({ group: uniqueName('g'), topics: [topic] }, recorder.handler());
      const before = makeMessage(topic, 1);
      await transport.publish([before]);
      await recorder.waitForIds([before.id], 'the message before the drop');
      await ctx.dropConnection!(transport);
      const after = makeMessage(topic, 2);
      // A publish during the outage may reject (the caller, e.g. the outbox relay, retries).
      await eventually(() => transport.publish([after]), ctx.timeoutMs, 'publish after the drop');
      await recorder.waitForIds([after.id], 'the message after the drop');
    },
  );
}
