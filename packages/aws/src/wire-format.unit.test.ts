/**
 * Unit tests of the pure parts of @tidings/aws: body encoding, the envelope attribute, names.
 */
import { DecodeError } from '@tidings/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fifoId, snsTopicName, sqsDeadLetterQueueName, sqsQueueName } from './names.ts';
import { resolveSnsSqsOptions } from './options.ts';
import { decodeBody, encodeBody, envelopeOf, parseEnvelope } from './wire-format.ts';

describe('body encoding', () => {
  it('round-trips any bytes, as text when SQS accepts it, else base64', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (body) => {
        const { text, encoding } = encodeBody(body);
        expect(text.length).toBeGreaterThan(0);
        expect(decodeBody(text, encoding)).toEqual(body);
      }),
    );
    expect(encodeBody(new TextEncoder().encode('{"a":"ü"}')).encoding).toBe('utf8');
    expect(encodeBody(Uint8Array.of(0, 1, 2)).encoding).toBe('base64');
    expect(encodeBody(Uint8Array.of(0xef, 0xbb, 0xbf, 0x41))).toEqual({ text: '\uFEFFA', encoding: 'utf8' });
    expect(encodeBody(new Uint8Array(0)).encoding).toBe('empty');
  });

  it('round-trips the envelope attribute and rejects anything else with DecodeError', () => {
    const message = { id: 'i', topic: 't', key: 'k', headers: { 'ce-id': 'i' }, body: new Uint8Array() };
    expect(parseEnvelope(JSON.stringify(envelopeOf(message, 'utf8')))).toEqual({
      v: 1,
      id: 'i',
      topic: 't',
      key: 'k',
      headers: { 'ce-id': 'i' },
      body: 'utf8',
    });
    for (const bad of [
      undefined,
      'not json',
      '{}',
      '{"v":1,"id":"i","topic":"t","key":"k","headers":{"a":1},"body":"utf8"}',
    ]) {
      expect(() => parseEnvelope(bad)).toThrow(expect.objectContaining({ code: DecodeError.code }));
    }
  });
});

describe('names', () => {
  it('sanitises SNS and SQS names within their limits, .fifo last', () => {
    expect(snsTopicName('shop.OrderPlaced', { prefix: 'prod-', fifo: true })).toBe(
      'prod-shop_OrderPlaced.fifo',
    );
    expect(sqsQueueName('mailer')).toBe('mailer');
    expect(sqsDeadLetterQueueName('mailer', { fifo: true })).toBe('mailer-dlq.fifo');
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 400 }), fc.boolean(), (raw, fifo) => {
        expect(snsTopicName(raw, { fifo })).toMatch(fifo ? /^[\w-]{1,251}\.fifo$/ : /^[\w-]{1,256}$/);
        expect(sqsQueueName(raw, { fifo })).toMatch(fifo ? /^[\w-]{1,75}\.fifo$/ : /^[\w-]{1,80}$/);
      }),
    );
  });

  it('keeps long names distinct by a hash', () => {
    const a = sqsQueueName(`${'x'.repeat(100)}a`);
    const b = sqsQueueName(`${'x'.repeat(100)}b`);
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(80);
  });

  it('makes any key a valid, stable FIFO id', () => {
    expect(fifoId('Order:42')).toBe('Order:42');
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (key) => {
        expect(fifoId(key)).toMatch(/^[\x21-\x7e]{1,128}$/);
        expect(fifoId(key)).toBe(fifoId(key));
      }),
    );
  });
});

describe('options', () => {
  it('needs both clients when given clients, and defaults to the shared vocabulary', () => {
    expect(() => resolveSnsSqsOptions({ connection: { sns: {} } as never })).toThrow(
      /connection is \["sns"\]: pass \{ sns: SNSClient, sqs: SQSClient \}/,
    );
    const resolved = resolveSnsSqsOptions({ connection: 'http://127.0.0.1:1' });
    expect(resolved).toMatchObject({ maxDeliveries: 20, prefix: '', name: 'sns-sqs', ownsClients: true });
    resolved.sns.destroy();
    resolved.sqs.destroy();
  });
});
