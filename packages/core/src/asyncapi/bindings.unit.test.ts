/**
 * The AsyncAPI export per broker binding: each document passes @asyncapi/parser, and the
 * headers it describes are exactly the names the bindings' own mapping functions put on the
 * wire for a real event (so the document cannot drift from the transports).
 */
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toAmqpProperties } from '../codec/amqp-binding.ts';
import { encodeBinary, encodeStructured } from '../codec/cloudevents.ts';
import { toKafkaHeaders } from '../codec/kafka-binding.ts';
import { ConfigurationError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { asyncApiBindings } from './bindings.ts';
import { toAsyncApi } from './to-asyncapi.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const catalog = createCatalog([OrderPlaced]);
const event = OrderPlaced.create(
  { orderId: 'o-1' },
  { subject: { type: 'Order', id: 'o-1', sequence: 1 }, causationId: 'c-1', metadata: { tenant: 't' } },
);

interface Message {
  contentType: string;
  headers?: { properties: Record<string, unknown>; required: string[] };
  payload: { properties?: Record<string, unknown>; required?: string[] };
  correlationId: { location: string };
  bindings?: Record<string, unknown>;
}
const messageOf = (binding: (typeof asyncApiBindings)[number]) =>
  (
    toAsyncApi(catalog, { title: 't', version: '1', binding }).components as {
      messages: Record<string, Message>;
    }
  ).messages.OrderPlaced as Message;

/** What the binding writes for `event`, as header names (binary) or document keys (structured). */
const wire: Record<string, () => string[]> = {
  http: () => Object.keys(encodeBinary(event).headers),
  nats: () => Object.keys(encodeBinary(event).headers),
  kafka: () => Object.keys(toKafkaHeaders(encodeBinary(event).headers)),
  amqp: () => Object.keys(toAmqpProperties(encodeBinary(event).headers).headers),
  'sns-sqs': () => Object.keys(JSON.parse(encodeStructured(event))),
  redis: () => Object.keys(JSON.parse(encodeStructured(event))),
};

describe('toAsyncApi bindings', () => {
  it.each(asyncApiBindings)(
    '%s: a valid document describing exactly what the binding writes',
    async (binding) => {
      const document = toAsyncApi(catalog, { title: 'Shop', version: '1', binding, receive: '*' });
      const { diagnostics } = await new Parser().parse(JSON.stringify(document));
      expect(
        diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`),
      ).toEqual([]);
      const message = messageOf(binding);
      const described = message.headers ? message.headers.properties : (message.payload.properties ?? {});
      const written = wire[binding]?.() ?? [];
      expect(written.filter((name) => !(name in described))).toEqual([]);
      const required = message.headers ? message.headers.required : (message.payload.required ?? []);
      expect(required.filter((name) => !written.includes(name))).toEqual([]);
    },
    30_000,
  );

  it('names headers, content type and correlation as each broker spells them', () => {
    const kafka = messageOf('kafka');
    expect(Object.keys(kafka.headers?.properties ?? {})).toEqual(
      expect.arrayContaining(['ce_id', 'content-type']),
    );
    expect(kafka.correlationId.location).toBe('$message.header#/ce_correlationid');
    expect(kafka.bindings).toMatchObject({ kafka: { key: { type: 'string' } } });
    const amqp = messageOf('amqp');
    // AMQP's content type is a message property, not an application property.
    expect(Object.keys(amqp.headers?.properties ?? {})).not.toContain('content-type');
    expect(amqp.headers?.required).toContain('cloudEvents_specversion');
    expect(messageOf('nats').headers?.required).toContain('ce-specversion');
    const sqs = messageOf('sns-sqs');
    expect(sqs).toMatchObject({
      contentType: 'application/cloudevents+json',
      correlationId: { location: '$message.payload#/correlationid' },
    });
    expect(sqs.headers).toBeUndefined();
    expect(sqs.payload.properties?.data).toMatchObject({ properties: { orderId: { type: 'string' } } });
  });

  it('refuses a binding it does not know, naming the choices', () => {
    expect(() => toAsyncApi(catalog, { title: 't', version: '1', binding: 'mqtt' as never })).toThrow(
      expect.objectContaining({
        code: ConfigurationError.code,
        message: expect.stringMatching(/binding is "mqtt".*kafka, amqp/),
      }),
    );
  });
});
