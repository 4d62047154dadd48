/**
 * Contract scenarios for what must never be lost or doubled: a dead letter published by the
 * consumer's sink arrives with the one dead-letter format and the original intact, although
 * the broker has already seen the original's id (JetStream and SQS FIFO deduplicate by id),
 * and redriven it reaches the original topic again; and a transport that declares `nativeDedup` drops a second publish of one id.
 */
import { type ReceivedMessage, transportDeadLetterSink } from '@tidings/core';
import { deadLetterHeaders, readDeadLetterHeaders, toRedriveMessage } from '@tidings/core/spi';
import { expect, it } from 'vitest';
import { createRecorder, makeMessage, uniqueName, useTransports } from '../harness.ts';
import { type ContractContext, titled } from '../options.ts';
import { waitFor } from '../wait-for.ts';

export function deadLetterScenarios(ctx: ContractContext): void {
  it("keeps a consumer's dead letter: format added, original intact, not deduplicated away", async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('dl-source');
    const handler = uniqueName('h');
    const deadTopic = uniqueName('dl');
    const original = makeMessage(topic, 1, { key: 'Order:7' });
    // The broker sees the original's id first, as it does in real life.
    const source = createRecorder(ctx);
    await transport.subscribe({ group: uniqueName('g'), topics: [topic] }, source.handler());
    await transport.publish([original]);
    await source.waitForIds([original.id], 'the original');
    const dead = createRecorder(ctx);
    await transport.subscribe({ group: uniqueName('g'), topics: [deadTopic] }, dead.handler());
    const sink = transportDeadLetterSink(transport, { topic: () => deadTopic });
    await sink.put({
      handler,
      reason: 'payment provider said no\nsecond line',
      code: 'TIDINGS_DO_NOT_RETRY',
      attempts: 3,
      at: '2026-01-02T03:04:05.000Z',
      firstFailedAt: '2026-01-02T03:00:00.000Z',
      message: source.received[0] as ReceivedMessage,
    });
    await waitFor(() => dead.received.length >= 1, ctx.timeoutMs, 'the dead letter');
    const letter = dead.received[0] as ReceivedMessage;
    expect(letter.id).not.toBe(original.id);
    expect(letter.key).toBe(original.key);
    expect(Buffer.from(letter.body).equals(Buffer.from(original.body))).toBe(true);
    expect(letter.headers).toMatchObject(original.headers);
    expect(readDeadLetterHeaders(letter.headers)).toEqual({
      reason: 'payment provider said no second line',
      code: 'TIDINGS_DO_NOT_RETRY',
      group: handler,
      attempts: 3,
      topic,
      at: '2026-01-02T03:04:05.000Z',
      firstFailedAt: '2026-01-02T03:00:00.000Z',
    });
    // Redriven, it reaches the original topic's group again as the original event.
    await transport.publish([toRedriveMessage(letter)]);
    await waitFor(() => source.received.length >= 2, ctx.timeoutMs, 'the redriven message');
    const again = source.received[1] as ReceivedMessage;
    expect(again.headers).toEqual(original.headers);
    expect(again.headers[deadLetterHeaders.reason]).toBeUndefined();
    expect(Buffer.from(again.body).equals(Buffer.from(original.body))).toBe(true);
  });

  const skip = !ctx.features.nativeDedup;
  it.skipIf(skip)(
    titled('drops a second publish of the same message id', skip, 'nativeDedup not declared'),
    async () => {
      const transport = await useTransports(ctx)();
      const topic = uniqueName('dedup');
      const recorder = createRecorder(ctx);
      await transport.subscribe({ group: uniqueName('g'), topics: [topic] }, recorder.handler());
      const once = makeMessage(topic, 1, { key: 'Order:1' });
      const after = makeMessage(topic, 2, { key: 'Order:1' });
      await transport.publish([once]);
      await transport.publish([once]);
      await transport.publish([after]);
      await recorder.waitForIds([once.id, after.id], 'the message and the one after it');
      expect(recorder.received.filter((m) => m.id === once.id)).toHaveLength(1);
    },
  );
}
