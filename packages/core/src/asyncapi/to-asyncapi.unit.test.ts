import { Parser } from '@asyncapi/parser';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigurationError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { toAsyncApi } from './to-asyncapi.ts';

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), totalCents: z.number().int(), note: z.string().optional() }),
  version: 2,
  upcasters: { 1: (p) => p },
  description: 'A customer placed an order.',
});
const UserRegistered = defineEvent('user:registered', { schema: v.object({ email: v.string() }) });
const catalog = createCatalog([OrderPlaced, UserRegistered]);

async function errorsOf(document: unknown) {
  const { diagnostics } = await new Parser().parse(JSON.stringify(document));
  return diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
}

describe('toAsyncApi', () => {
  it('emits a document the AsyncAPI parser accepts without errors', async () => {
    const document = toAsyncApi(catalog, {
      title: 'Shop events',
      version: '1.2.0',
      description: 'What the shop publishes.',
      address: (type) => `shop.${type}`,
      send: ['OrderPlaced'],
      receive: '*',
      source: '/shop',
    });
    expect(await errorsOf(document)).toEqual([]);
    // The check has teeth: a broken channel is reported.
    expect(await errorsOf({ ...document, channels: { bad: { address: 42 } } })).not.toEqual([]);
    expect(document.info).toEqual({
      title: 'Shop events',
      version: '1.2.0',
      description: 'What the shop publishes.',
    });
    expect(Object.keys(document.operations as object).sort()).toEqual([
      'receiveOrderPlaced',
      'receiveuser_registered',
      'sendOrderPlaced',
    ]);
    const { document: parsed } = await new Parser().parse(JSON.stringify(document));
    const channel = parsed?.channels().get('user_registered');
    expect(channel?.address()).toBe('shop.user:registered');
    const message = parsed
      ?.messages()
      .all()
      .find((m) => m.name() === 'OrderPlaced');
    expect(message?.payload()?.json()).toMatchObject({
      type: 'object',
      properties: { orderId: { type: 'string' }, totalCents: { type: 'integer' } },
      required: ['orderId', 'totalCents'],
    });
    const headers = message?.headers()?.json() as {
      properties: Record<string, { const?: string }>;
      required: string[];
    };
    expect(headers.properties['ce-type']?.const).toBe('OrderPlaced');
    expect(headers.properties['ce-dataversion']?.const).toBe('2');
    expect(headers.required).toEqual(
      expect.arrayContaining(['ce-id', 'ce-type', 'ce-source', 'ce-specversion']),
    );
    expect(Object.keys(headers.properties)).toEqual(
      expect.arrayContaining([
        'ce-time',
        'ce-subject',
        'ce-correlationid',
        'ce-causationid',
        'ce-traceparent',
      ]),
    );
    expect(message?.description()).toContain('consumers upcast versions 1 to 1');
    // The parser loads and compiles its JSON schemas on first use: seconds on a loaded 2-core machine.
  }, 30_000);

  it('leaves a schema without Standard JSON Schema open, with a note, unless given a converter', async () => {
    const open = toAsyncApi(catalog, { title: 't', version: '1' });
    const messages = (
      open.components as { messages: Record<string, { payload: unknown; description?: string }> }
    ).messages;
    expect(messages.user_registered?.payload).toEqual({});
    expect(messages.user_registered?.description).toMatch(
      /valibot schema .* does not offer Standard JSON Schema/,
    );

    const described = toAsyncApi(catalog, {
      title: 't',
      version: '1',
      jsonSchema: (_schema, definition) =>
        definition.type === 'user:registered'
          ? { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] }
          : undefined,
    });
    const payload = (described.components as { messages: Record<string, { payload: unknown }> }).messages
      .user_registered?.payload;
    expect(payload).toEqual({
      type: 'object',
      properties: { email: { type: 'string' } },
      required: ['email'],
    });
    expect(await errorsOf(described)).toEqual([]);
    // The parser again: seconds on a loaded machine, more with the binding tests alongside.
  }, 30_000);

  it('falls back to an open schema when conversion throws, and refuses unknown operation types', () => {
    const Dated = defineEvent('Dated', { schema: z.object({ at: z.date() }) });
    const document = toAsyncApi(createCatalog([Dated]), { title: 't', version: '1' });
    const message = (
      document.components as { messages: Record<string, { payload: unknown; description?: string }> }
    ).messages.Dated;
    expect(message?.payload).toEqual({});
    expect(message?.description).toMatch(/could not be converted to JSON Schema/);
    expect(() => toAsyncApi(catalog, { title: 't', version: '1', send: ['Nope'] })).toThrow(
      ConfigurationError,
    );
  });
});
