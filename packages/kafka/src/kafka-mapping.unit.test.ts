/**
 * Unit tests of the pure parts of @tidings/kafka: topic naming, record mapping, retry delays.
 */
import { ConfigurationError, RetryLater, type TransportMessage } from '@tidings/core';
import { checkSubscribeRequest, encodeHeaderValue, nextRetryDelay, pause } from '@tidings/core/spi';
import fc from 'fast-check';
import type { KafkaMessage } from 'kafkajs';
import { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { idHeader, toKafkaMessage, toReceivedMessage } from './message-mapping.ts';
import { resolveKafkaOptions } from './options.ts';
import { kafkaTopicName } from './topic-name.ts';

describe('kafkaTopicName', () => {
  it('prefixes and replaces characters Kafka rejects', () => {
    expect(kafkaTopicName('OrderPlaced', 'shop.')).toBe('shop.OrderPlaced');
    expect(kafkaTopicName('billing/Invoice Sent')).toBe('billing_Invoice_Sent');
  });

  it('always yields a legal Kafka name or a ConfigurationError', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 10 }), (topic, prefix) => {
        try {
          expect(kafkaTopicName(topic, prefix)).toMatch(/^[A-Za-z0-9._-]{1,249}$/);
        } catch (error) {
          expect(ConfigurationError.is(error)).toBe(true);
        }
      }),
    );
  });
});

describe('record mapping', () => {
  it('round-trips id, key, headers and body through a Kafka record', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.string(),
        fc.dictionary(
          // ce-/ce_ names are CloudEvents attributes, mapped to the binding (tested below).
          fc
            .string({ minLength: 1 })
            .filter((k) => k !== idHeader && k !== '__proto__' && !/^ce[-_]/i.test(k)),
          fc.string(),
        ),
        fc.uint8Array(),
        (id, key, headers, body) => {
          const sent: TransportMessage = { id, topic: 'T', key, headers, body };
          const record = toKafkaMessage(sent);
          const asFetched = {
            key: Buffer.from(String(record.key)),
            value: record.value as Buffer,
            headers: Object.fromEntries(
              Object.entries(record.headers ?? {}).map(([k, v]) => [k, Buffer.from(String(v))]),
            ),
            offset: '0',
            timestamp: '0',
            attributes: 0,
          } as KafkaMessage;
          const received = toReceivedMessage(asFetched, 'T', 1);
          expect(received).toEqual({ ...sent, body: new Uint8Array(body), deliveryCount: 1 });
        },
      ),
    );
  });

  const fetched = (headers: Record<string, string>, timestamp = '0'): KafkaMessage =>
    ({
      key: Buffer.from('k'),
      value: Buffer.from('{}'),
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
      offset: '7',
      timestamp,
      attributes: 0,
    }) as KafkaMessage;

  it('writes CloudEvents attributes as ce_* headers with plain values, and reads them back', () => {
    const sent: TransportMessage = {
      id: 'i',
      topic: 'T',
      key: 'k',
      headers: { 'content-type': 'application/json', 'ce-subject': encodeHeaderValue('café "1"') },
      body: new Uint8Array(),
    };
    const record = toKafkaMessage(sent);
    expect(record.headers).toMatchObject({ 'content-type': 'application/json', ce_subject: 'café "1"' });
    const received = toReceivedMessage(fetched(record.headers as Record<string, string>), 'T', 1);
    expect(received.headers).toEqual(sent.headers);
  });

  it("knows a foreign record by its ce_id, else by its position, and keeps the broker's timestamp", () => {
    const foreign = toReceivedMessage(fetched({ ce_id: 'f-1' }, '1767225600000'), 'T', 1, 2);
    expect(foreign).toMatchObject({ id: 'f-1', publishedAt: '2026-01-01T00:00:00.000Z' });
    expect(toReceivedMessage(fetched({}), 'T', 1, 2).id).toBe('T/2/7');
  });
});

describe('retry delays', () => {
  it('honours RetryLater, then retryDelayMs, then the backoff policy', () => {
    expect(nextRetryDelay(new RetryLater('later', 1234), 1, {})).toBe(1234);
    expect(nextRetryDelay(Object.assign(new Error('x'), { retryDelayMs: 77 }), 1, {})).toBe(77);
    expect(nextRetryDelay(new Error('x'), 3, { baseDelayMs: 100, jitter: 'none' })).toBe(400);
  });

  it('pause resolves false at once when aborted', async () => {
    const controller = new AbortController();
    const paused = pause(60_000, controller.signal);
    controller.abort();
    await expect(paused).resolves.toBe(false);
  });
});

describe('options', () => {
  const message = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      if (ConfigurationError.is(error)) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigurationError');
  };

  it('defaults to the shared vocabulary: earliest start, 20 deliveries, a third of the session as heartbeat', () => {
    const resolved = resolveKafkaOptions({ sessionTimeoutMs: 3000 });
    expect(resolved).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      fromBeginning: true,
      maxDeliveries: 20,
      heartbeatIntervalMs: 1000,
      clientId: 'tidings',
      topicPrefix: '',
      name: 'kafka',
    });
    expect(resolveKafkaOptions({ startFrom: 'latest' }).fromBeginning).toBe(false);
  });

  it('takes "host:port,host:port" or a kafkajs Kafka as the connection', () => {
    expect(resolveKafkaOptions({ connection: 'k1:9092, k2:9093' }).brokers).toEqual(['k1:9092', 'k2:9093']);
    const kafka = new Kafka({ brokers: ['k:9092'] });
    expect(resolveKafkaOptions({ connection: kafka })).toMatchObject({ kafka, brokers: undefined });
  });

  it.each([
    [{ connection: '' }, /connection is "": each bootstrap broker must be host:port/],
    [{ connection: 'kafka://u:secret@k1:9092' }, /connection is "k1:9092"/],
    [{ maxDeliveries: 0 }, /maxDeliveries is 0: it must be a whole number/],
    [{ startFrom: 'beginning' as never }, /startFrom is "beginning": it must be 'earliest' or 'latest'/],
    [{ sessionTimeoutMs: 1000, heartbeatIntervalMs: 1000 }, /heartbeatIntervalMs is 1000: it must be below/],
  ])('refuses %o naming the option', (options, expected) => {
    const text = message(() => resolveKafkaOptions(options));
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/secret/);
  });

  it('refuses a bad subscribe request naming the field', () => {
    expect(message(() => checkSubscribeRequest({ group: 'g', topics: ['t'], concurrency: 1.5 }))).toMatch(
      /concurrency is 1\.5/,
    );
  });
});
