/**
 * Contract scenarios for plain delivery: a round trip keeps everything, publish means
 * durably accepted, a burst arrives exactly once, one subscription spans several topics.
 */
import { expect, it } from 'vitest';
import {
  createRecorder,
  duplicates,
  makeMessage,
  makeMessages,
  uniqueName,
  useTransports,
} from '../harness.ts';
import type { ContractContext } from '../options.ts';

export function deliveryScenarios(ctx: ContractContext): void {
  it('declares the features the suite was given', async () => {
    const transport = await useTransports(ctx)();
    expect(transport.features).toEqual(ctx.features);
    expect(typeof transport.name).toBe('string');
  });

  it('delivers a message with id, topic, key, headers and body intact', async () => {
    const open = useTransports(ctx);
    const transport = await open();
    const topic = uniqueName('roundtrip');
    const recorder = createRecorder(ctx);
    await transport.subscribe({ group: uniqueName('g'), topics: [topic] }, recorder.handler());
    const sent = makeMessage(topic, 1, {
      key: 'Order:42',
      headers: {
        'content-type': 'application/json',
        'ce-id': 'x',
        'ce-type': 'order.placed',
        'x-extra': 'y',
      },
    });
    await transport.publish([sent]);
    await recorder.waitForIds([sent.id], 'the message');
    const got = recorder.received[0]!;
    expect({ id: got.id, topic: got.topic, key: got.key, headers: got.headers }).toEqual({
      id: sent.id,
      topic: sent.topic,
      key: sent.key,
      headers: sent.headers,
    });
    expect(Buffer.from(got.body).equals(Buffer.from(sent.body))).toBe(true);
    expect(got.deliveryCount).toBeGreaterThanOrEqual(1);
  });

  it('keeps what publish() resolved for a group whose members were away, across clients', async () => {
    const open = useTransports(ctx);
    const topic = uniqueName('durable');
    const group = uniqueName('g');
    const first = await open();
    // Subscribing once creates the group; closing leaves it without members.
    const idle = await first.subscribe({ group, topics: [topic] }, async () => {});
    await idle.close();
    const sent = makeMessages(topic, 5);
    await first.publish(sent);
    await first.close();
    const second = await open();
    const recorder = createRecorder(ctx);
    await second.subscribe({ group, topics: [topic] }, recorder.handler());
    await recorder.waitForIds(
      sent.map((m) => m.id),
      'messages published before the member joined',
    );
  });

  it('delivers 200 messages exactly once to a single consumer that acks', async () => {
    const transport = await useTransports(ctx)();
    const topic = uniqueName('burst');
    const recorder = createRecorder(ctx);
    const subscription = await transport.subscribe(
      { group: uniqueName('g'), topics: [topic], concurrency: 4 },
      recorder.handler(),
    );
    const sent = makeMessages(topic, 200);
    await Promise.all([transport.publish(sent.slice(0, 100)), transport.publish(sent.slice(100))]);
    await recorder.waitForIds(
      sent.map((m) => m.id),
      '200 messages',
    );
    await subscription.close();
    expect(duplicates(recorder.received)).toEqual([]);
    expect(recorder.received).toHaveLength(200);
  });

  it('delivers several topics through one subscription, each with its topic', async () => {
    const transport = await useTransports(ctx)();
    const topics = [uniqueName('ta'), uniqueName('tb'), uniqueName('tc')];
    const recorder = createRecorder(ctx);
    await transport.subscribe({ group: uniqueName('g'), topics }, recorder.handler());
    const sent = topics.flatMap((topic) => makeMessages(topic, 3));
    await transport.publish(sent);
    await recorder.waitForIds(
      sent.map((m) => m.id),
      'messages of three topics',
    );
    const topicOf = new Map(sent.map((m) => [m.id, m.topic]));
    for (const m of recorder.received) expect(m.topic).toBe(topicOf.get(m.id));
  });
}
