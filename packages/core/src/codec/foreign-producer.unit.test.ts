/**
 * CloudEvents from producers that are not Tidings: the spec's optional attributes and our
 * extensions may be missing, and the official SDK lays headers out per binding. Each such
 * event still decodes, with the defaults the docs promise.
 */
import { CloudEvent, HTTP, Kafka, type KafkaMessage } from 'cloudevents';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DecodeError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { fromAmqpProperties, toAmqpProperties } from './amqp-binding.ts';
import {
  decodeMessage,
  decodeStructured,
  encodeBinary,
  encodeStructured,
  timeSourceKey,
} from './cloudevents.ts';
import { fromKafkaHeaders, toKafkaHeaders } from './kafka-binding.ts';

const upcastV1 = vi.fn((p: unknown) => ({ ...(p as object), currency: 'EUR' }));
const Paid = defineEvent('shop.Paid', {
  schema: z.object({ amount: z.number(), currency: z.string() }),
  version: 2,
  upcasters: { 1: upcastV1 },
});
const catalog = createCatalog([Paid]);
const encoder = new TextEncoder();
const fallbackTime = { time: '2026-01-02T03:04:05.000Z', source: 'broker' } as const;

const foreign = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    specversion: '1.0',
    id: 'f-1',
    source: '/billing',
    type: 'shop.Paid',
    data: { amount: 5, currency: 'USD' },
    ...extra,
  });

describe('a foreign CloudEvent', () => {
  it('without dataversion is the current version and never goes through an upcaster', () => {
    upcastV1.mockClear();
    const event = catalog.decode(decodeStructured(foreign({ time: '2026-01-01T00:00:00Z' })));
    expect(event.version).toBe(2);
    expect(event.payload).toEqual({ amount: 5, currency: 'USD' });
    expect(upcastV1).not.toHaveBeenCalled();
  });

  it('with dataversion 1 is still upcast', () => {
    upcastV1.mockClear();
    const event = catalog.decode(decodeStructured(foreign({ time: '2026-01-01T00:00:00Z', dataversion: 1 })));
    expect(upcastV1).toHaveBeenCalledTimes(1);
    expect(event.version).toBe(2);
  });

  it('without dataversion is the version the definition names for unversioned payloads', () => {
    upcastV1.mockClear();
    const Legacy = defineEvent('shop.Paid', {
      schema: Paid.schema,
      version: 2,
      upcasters: { 1: upcastV1 },
      unversionedAs: 1,
    });
    const event = createCatalog([Legacy]).decode(decodeStructured(foreign({ time: '2026-01-01T00:00:00Z' })));
    expect(upcastV1).toHaveBeenCalledTimes(1);
    expect(event.payload).toEqual({ amount: 5, currency: 'EUR' });
    expect(() => defineEvent('x.Y', { schema: Paid.schema, unversionedAs: 2 })).toThrow(/unversionedAs/);
  });

  it('without time takes the fallback time and says so in metadata', () => {
    const raw = decodeStructured(foreign(), { fallbackTime });
    expect(raw.occurredAt).toBe(fallbackTime.time);
    expect(raw.metadata[timeSourceKey]).toBe('broker');
  });

  it('without time and without a fallback is rejected with the field named', () => {
    expect(() => decodeStructured(foreign())).toThrow(/occurredAt/);
  });

  it('with a subject but no subjecttype takes its source as the subject type', () => {
    const raw = decodeStructured(foreign({ time: '2026-01-01T00:00:00Z', subject: 'o-1' }));
    expect(raw.subject).toEqual({ type: '/billing', id: 'o-1' });
  });

  it('without correlationid is correlated by its own id', () => {
    expect(decodeStructured(foreign({ time: '2026-01-01T00:00:00Z' })).correlationId).toBe('f-1');
  });

  it("with the spec's string Sequence extension keeps it out of the subject position", () => {
    const raw = decodeStructured(
      foreign({ time: '2026-01-01T00:00:00Z', subject: 'o-1', subjecttype: 'Order', sequence: 'a10' }),
    );
    expect(raw.subject).toEqual({ type: 'Order', id: 'o-1' });
  });

  it('from an older Tidings producer still reads the integer `sequence`', () => {
    const raw = decodeStructured(
      foreign({ time: '2026-01-01T00:00:00Z', subject: 'o-1', subjecttype: 'Order', sequence: '7' }),
    );
    expect(raw.subject?.sequence).toBe(7);
  });
});

describe('decodeMessage tells the modes apart', () => {
  const event = Paid.create(
    { amount: 1, currency: 'EUR' },
    { subject: { type: 'Order', id: 'o', sequence: 3 } },
  );

  it('writes the subject position as subjectsequence, colliding with no spec extension', () => {
    const ce = JSON.parse(encodeStructured(event)) as Record<string, unknown>;
    expect(ce.subjectsequence).toBe(3);
    expect(ce).not.toHaveProperty('sequence');
  });

  it('reads binary mode and structured mode, with or without a content type', () => {
    const binary = encodeBinary(event);
    const body = encoder.encode(encodeStructured(event));
    expect(decodeMessage(binary).id).toBe(event.id);
    expect(
      decodeMessage({ headers: { 'Content-Type': 'application/cloudevents+json; charset=utf-8' }, body }).id,
    ).toBe(event.id);
    expect(decodeMessage({ headers: {}, body }).id).toBe(event.id);
  });

  it('rejects a message that is neither, naming the content type', () => {
    const error = (() => {
      try {
        decodeMessage({ headers: { 'content-type': 'text/plain' }, body: encoder.encode('hi') });
      } catch (e) {
        return e;
      }
    })();
    expect(DecodeError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/text\/plain/);
  });
});

describe('the Kafka and AMQP bindings', () => {
  const event = Paid.create(
    { amount: 2, currency: 'EUR' },
    { subject: { type: 'Order', id: 'café 1' }, metadata: { tenant: 'a"b' } },
  );

  it('map core headers to ce_* (plain text) and back without loss', () => {
    const { headers } = encodeBinary(event);
    const kafka = toKafkaHeaders(headers);
    expect(kafka.ce_subject).toBe('café 1');
    expect(kafka['content-type']).toBe('application/json');
    expect(fromKafkaHeaders(kafka)).toEqual(headers);
  });

  it('are what the SDK reads: Kafka.toEvent of our headers', () => {
    const { headers, body } = encodeBinary(event);
    const message: KafkaMessage<Buffer> = {
      headers: toKafkaHeaders(headers),
      key: 'k',
      value: Buffer.from(body),
      body: Buffer.from(body),
    };
    const ce = Kafka.toEvent(message) as CloudEvent<unknown>;
    expect({ id: ce.id, type: ce.type, subject: ce.subject, data: ce.data }).toEqual({
      id: event.id,
      type: 'shop.Paid',
      subject: 'café 1',
      data: { amount: 2, currency: 'EUR' },
    });
  });

  it('read what the SDK writes: Kafka.binary', () => {
    const sdk = Kafka.binary(
      new CloudEvent({
        id: 'k-1',
        type: 'shop.Paid',
        source: '/x',
        datacontenttype: 'application/json',
        data: { amount: 3, currency: 'USD' },
      }),
    );
    const headers = Object.fromEntries(
      Object.entries(sdk.headers)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, String(v)]),
    );
    const raw = decodeMessage({
      headers: fromKafkaHeaders(headers),
      body: encoder.encode(JSON.stringify(sdk.value)),
    });
    expect(catalog.decode(raw).payload).toEqual({ amount: 3, currency: 'USD' });
  });

  it('put AMQP attributes in cloudEvents_* properties and content-type in its own property', () => {
    const { headers } = encodeBinary(event);
    const amqp = toAmqpProperties(headers);
    expect(amqp.contentType).toBe('application/json');
    expect(amqp.headers.cloudEvents_subject).toBe('café 1');
    expect(amqp.headers).not.toHaveProperty('content-type');
    expect(fromAmqpProperties(amqp.headers, amqp.contentType)).toEqual(headers);
    const colon = Object.fromEntries(Object.entries(amqp.headers).map(([k, v]) => [k.replace('_', ':'), v]));
    expect(fromAmqpProperties(colon, amqp.contentType)).toEqual(headers);
  });

  it('decode an SDK HTTP-binary message carried in core form', () => {
    const sdk = HTTP.binary(
      new CloudEvent({ id: 'h-1', type: 'shop.Paid', source: '/x', data: { amount: 4, currency: 'USD' } }),
    );
    const headers = Object.fromEntries(Object.entries(sdk.headers).map(([k, v]) => [k, String(v)]));
    const raw = decodeMessage({ headers, body: encoder.encode(String(sdk.body)) });
    expect(raw.id).toBe('h-1');
  });
});
