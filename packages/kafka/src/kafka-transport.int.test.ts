/**
 * @tidings/kafka against librdkafka's mock cluster (3 brokers, and 1 for the basics):
 * round trip of id/key/headers/body, per-key order, in-place retry, the maxDeliveries
 * backstop (reported, never skipped or dead-lettered by the transport), resume at the
 * committed offset and rebalance to a live member after a crash.
 * Each test uses fresh topic and group names. Mock group joins take ~3 s each.
 */
import { randomUUID } from 'node:crypto';
import type { ReceivedMessage, Transport, TransportMessage } from '@tidings/core';
import { DoNotRetry, RetryLater, TransportError } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { logLevel } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockKafkaCluster, startMockKafka } from '../test/mock-kafka.ts';
import { createSocketControl } from '../test/socket-control.ts';
import { createKafkaTransport } from './kafka-transport.ts';
import type { KafkaTransportOptions } from './options.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function message(topic: string, key: string, n: number): TransportMessage {
  return {
    id: randomUUID(),
    topic,
    key,
    headers: { 'ce-type': topic, 'ce-sequence': String(n), 'content-type': 'application/json' },
    body: encoder.encode(JSON.stringify({ n })),
  };
}

const n = (m: ReceivedMessage) => (JSON.parse(decoder.decode(m.body)) as { n: number }).n;

for (const brokerCount of [3, 1]) {
  describe(`kafka transport on a ${brokerCount}-broker mock cluster`, () => {
    let cluster: MockKafkaCluster;
    const open: Transport[] = [];
    const make = async (extra: Partial<KafkaTransportOptions> = {}) => {
      const transport = await createKafkaTransport({
        connection: cluster.brokers.join(','),
        sessionTimeoutMs: 3_000,
        heartbeatIntervalMs: 500,
        kafka: { logLevel: logLevel.NOTHING },
        ...extra,
      });
      open.push(transport);
      return transport;
    };
    const names = () => ({ topic: `t-${randomUUID()}`, group: `g-${randomUUID()}` });

    beforeAll(async () => {
      cluster = await startMockKafka({ brokers: brokerCount });
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((t) => t.close()));
    });
    afterAll(async () => {
      await cluster?.close();
    });

    it('delivers id, key, topic, headers and body as published, once per group', async () => {
      const { topic, group } = names();
      const transport = await make({ prefix: 'it.' });
      const got: ReceivedMessage[] = [];
      await transport.subscribe({ group, topics: [topic] }, async (m) => {
        got.push(m);
      });
      const sent = [message(topic, 'order-1', 1), message(topic, 'order-2', 2)];
      await transport.publish(sent);
      await waitUntil(() => got.length === 2, 'two deliveries');
      for (const expected of sent) {
        const received = got.find((m) => m.id === expected.id);
        expect(received).toMatchObject({
          topic,
          key: expected.key,
          headers: expected.headers,
          deliveryCount: 1,
        });
        expect(decoder.decode(received?.body)).toBe(decoder.decode(expected.body));
      }
    });

    if (brokerCount === 1) return;

    it('keeps per-key order with several partitions handled concurrently', async () => {
      const { topic, group } = names();
      const transport = await make();
      const seen = new Map<string, number[]>();
      let total = 0;
      await transport.subscribe({ group, topics: [topic], concurrency: 4 }, async (m) => {
        seen.set(m.key, [...(seen.get(m.key) ?? []), n(m)]);
        total++;
      });
      const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
      const batch = Array.from({ length: 120 }, (_, i) => message(topic, keys[i % keys.length] ?? 'a', i));
      await transport.publish(batch.slice(0, 60));
      await transport.publish(batch.slice(60));
      await waitUntil(() => total === 120, '120 deliveries');
      for (const key of keys) {
        const list = seen.get(key) ?? [];
        expect(list).toEqual([...list].sort((x, y) => x - y));
        expect(list).toHaveLength(20);
      }
    });

    it('retries a rejected message in place, holding back later messages of its key', async () => {
      const { topic, group } = names();
      const transport = await make();
      const log: string[] = [];
      await transport.subscribe({ group, topics: [topic] }, async (m) => {
        log.push(`${n(m)}#${m.deliveryCount}`);
        if (n(m) === 1 && m.deliveryCount < 3) throw new RetryLater('not yet', 50);
      });
      await transport.publish([message(topic, 'k', 1), message(topic, 'k', 2)]);
      await waitUntil(() => log.includes('2#1'), 'the second message');
      expect(log).toEqual(['1#1', '1#2', '1#3', '2#1']);
    });

    it('past maxDeliveries reports the stuck message once and keeps retrying it: nothing skipped or dead-lettered', async () => {
      const { topic, group } = names();
      const reported: unknown[] = [];
      const transport = await make({ maxDeliveries: 3, onError: (e) => reported.push(e) });
      const log: string[] = [];
      await transport.subscribe({ group, topics: [topic] }, async (m) => {
        log.push(`${n(m)}#${m.deliveryCount}`);
        // Even a DoNotRetry is the consumer pipeline's to dead-letter: the transport redelivers.
        if (n(m) === 1 && m.deliveryCount < 5) throw new DoNotRetry('payment provider said no');
      });
      await transport.publish([message(topic, 'k', 1), message(topic, 'k', 2)]);
      await waitUntil(() => log.includes('2#1'), 'the next message');
      expect(log).toEqual(['1#1', '1#2', '1#3', '1#4', '1#5', '2#1']);
      expect(reported).toHaveLength(1);
      expect(String(reported[0])).toMatch(/failed 3 deliveries \(maxDeliveries\)/);
    });

    it("raises the report threshold to the request's maxDeliveries (the consumer's retry budget + 1)", async () => {
      const { topic, group } = names();
      const reported: unknown[] = [];
      const transport = await make({ maxDeliveries: 3, onError: (e) => reported.push(e) });
      const log: string[] = [];
      await transport.subscribe({ group, topics: [topic], maxDeliveries: 6 }, async (m) => {
        log.push(`${n(m)}#${m.deliveryCount}`);
        if (n(m) === 1 && m.deliveryCount < 5) throw new Error('still within the budget');
      });
      await transport.publish([message(topic, 'k', 1), message(topic, 'k', 2)]);
      await waitUntil(() => log.includes('2#1'), 'the next message');
      expect(log).toEqual(['1#1', '1#2', '1#3', '1#4', '1#5', '2#1']);
      expect(reported).toEqual([]);
    });

    it('refuses a bad subscribe request before joining, naming the field', async () => {
      const transport = await make();
      await expect(
        transport.subscribe({ group: 'g', topics: [], concurrency: 1 }, async () => {}),
      ).rejects.toThrow(/topics is \[\]/);
    });

    it('resumes a group at its committed offset: nothing handled is delivered again', async () => {
      const { topic, group } = names();
      const first = await make();
      const got: number[] = [];
      const sub = await first.subscribe({ group, topics: [topic] }, async (m) => {
        got.push(n(m));
      });
      await first.publish([1, 2, 3].map((i) => message(topic, `k${i}`, i)));
      await waitUntil(() => got.length === 3, 'the first three');
      await sub.close();
      await first.publish([4, 5].map((i) => message(topic, `k${i}`, i)));
      const second = await make();
      await second.subscribe({ group, topics: [topic] }, async (m) => {
        got.push(n(m));
      });
      await waitUntil(() => got.length >= 5, 'the last two');
      expect([...got].sort()).toEqual([1, 2, 3, 4, 5]);
    });

    // Kafka API keys and error codes for the mock's fault injection.
    const api = { fetch: 1, syncGroup: 14 };
    const INVALID_REQUEST = 42;

    it('joins again when the coordinator answers the join with an error kafkajs does not retry', async () => {
      // librdkafka's mock answers a follower's SyncGroup that arrives after the leader's with
      // INVALID_REQUEST (non-retriable in kafkajs): the chaos run's restarted consumers met it.
      const { topic, group } = names();
      const reported: unknown[] = [];
      const transport = await make({ onError: (e) => reported.push(e) });
      await cluster.failNext(api.syncGroup, INVALID_REQUEST);
      const got: number[] = [];
      await transport.subscribe({ group, topics: [topic] }, async (m) => {
        got.push(n(m));
      });
      await transport.publish([message(topic, 'k', 1)]);
      await waitUntil(() => got.length === 1, 'the delivery after the rejoin', 30_000);
      expect(reported.map(String)).toEqual([
        expect.stringMatching(/could not join \(attempt 1 of 5\): .*malformed/),
      ]);
    });

    it('does not go silent when the running member stops on an error kafkajs does not restart from', async () => {
      const { topic, group } = names();
      const reported: unknown[] = [];
      const transport = await make({ onError: (e) => reported.push(e) });
      const got: number[] = [];
      await transport.subscribe({ group, topics: [topic] }, async (m) => {
        got.push(n(m));
      });
      await transport.publish([message(topic, 'k', 1)]);
      await waitUntil(() => got.length === 1, 'the first delivery');
      await cluster.failNext(api.fetch, INVALID_REQUEST);
      await waitUntil(() => reported.length > 0, 'the crash to be reported', 30_000);
      await transport.publish([message(topic, 'k', 2)]);
      await waitUntil(() => got.length === 2, 'a delivery by the member that replaced it', 30_000);
      expect(got).toEqual([1, 2]);
      expect(String(reported[0])).toMatch(
        /stopped on an error kafkajs does not restart from: .*A new member joins in 200 ms/,
      );
    });

    it('moves the partitions of a crashed member, with its unacked message, to a live one', async () => {
      const { topic, group } = names();
      const control = createSocketControl();
      const doomed = await make({
        kafka: { logLevel: logLevel.NOTHING, socketFactory: control.socketFactory },
      });
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const started: string[] = [];
      await doomed.subscribe({ group, topics: [topic] }, async (m) => {
        started.push(m.id);
        await held;
      });
      const sent = message(topic, 'k', 1);
      await doomed.publish([sent]);
      await waitUntil(() => started.length === 1, 'the doomed member to start');
      control.crash();
      const survivor = await make();
      const got: ReceivedMessage[] = [];
      await survivor.subscribe({ group, topics: [topic] }, async (m) => {
        got.push(m);
      });
      await waitUntil(() => got.length === 1, 'redelivery to the survivor', 30_000);
      expect(got[0]?.id).toBe(sent.id);
      release();
    });
  });
}

describe('createKafkaTransport', () => {
  it('fails at creation, naming the brokers, when none answers', async () => {
    const failure = await createKafkaTransport({
      connection: '127.0.0.1:1',
      kafka: { logLevel: logLevel.NOTHING, connectionTimeout: 300, retry: { retries: 0 } },
    }).catch((error: unknown) => error);
    expect(TransportError.is(failure), String(failure)).toBe(true);
    expect(String(failure)).toMatch(/Cannot connect to Kafka at 127\.0\.0\.1:1/);
  });
});
