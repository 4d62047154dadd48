/**
 * Contract scenarios for CloudEvents interop with clients that are not Tidings: an event
 * the official SDK encodes (binary and structured mode), sent with the raw driver, is
 * handled by our consumer; what our relay publishes (outbox → relay → transport) is read back by
 * the raw driver and parsed by the SDK's own binding parser.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import {
  createCatalog,
  createConsumer,
  createMemoryDeadLetterSink,
  createMemoryOutboxStore,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandler,
} from '@tidings/core';
import { expect, it } from 'vitest';
import { uniqueName, useTransports } from '../harness.ts';
import type { CloudEventsSdk, CloudEventsSdkBinding, InteropOptions, RawWireMessage } from '../interop.ts';
import type { ContractContext } from '../options.ts';
import { titled } from '../options.ts';
import { waitFor } from '../wait-for.ts';

interface Shipment {
  readonly parcel: string;
}

// A hand-written Standard Schema: the suite needs no validation library.
const shipmentSchema: StandardSchemaV1<Shipment> = {
  '~standard': {
    version: 1,
    vendor: 'tidings-contract',
    validate: (value) =>
      typeof value === 'object' && value !== null && typeof (value as Shipment).parcel === 'string'
        ? { value: value as Shipment }
        : { issues: [{ message: 'parcel must be a string' }] },
  },
};

const encoder = new TextEncoder();

function bytesOf(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  return encoder.encode(typeof body === 'string' ? body : JSON.stringify(body));
}

/** An SDK binding's output as a raw message: undefined headers dropped, the rest as text. */
function wireOf(encoded: { headers: object; body?: unknown; value?: unknown }, key: string): RawWireMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(encoded.headers)) {
    if (value !== undefined && value !== null) headers[name] = String(value);
  }
  return { headers, body: bytesOf(encoded.value ?? encoded.body), key };
}

function bindingOf(sdk: CloudEventsSdk, options: InteropOptions): CloudEventsSdkBinding {
  return options.raw.binding === 'Kafka' ? sdk.Kafka : sdk.HTTP;
}

export function interopScenarios(ctx: ContractContext): void {
  const skip = ctx.interop === undefined;
  const reason = 'no raw-driver adapter given (`interop`)';

  it.skipIf(skip)(
    titled(
      'handles events the CloudEvents SDK encodes, binary and structured, sent by a raw client',
      skip,
      reason,
    ),
    async () => {
      const interop = ctx.interop as InteropOptions;
      const { sdk, raw } = interop;
      const transport = await useTransports(ctx)();
      const Shipped = defineEvent(uniqueName('interop'), {
        schema: shipmentSchema,
        version: 2,
        upcasters: { 1: () => ({ parcel: 'upcast' }) },
      });
      const seen: {
        id: string;
        parcel: string;
        version: number;
        timesource: string | undefined;
        correlationId: string;
      }[] = [];
      const deadLetters = createMemoryDeadLetterSink();
      const consumer = createConsumer({
        transport,
        catalog: createCatalog([Shipped]),
        handlers: [
          durableHandler(uniqueName('h'), Shipped, (event) => {
            seen.push({
              id: event.id,
              parcel: event.payload.parcel,
              version: event.version,
              timesource: event.metadata.timesource,
              correlationId: event.correlationId,
            });
          }),
        ],
        deadLetters,
        groupPrefix: `${uniqueName('svc')}.`,
      });
      await consumer.start();
      try {
        const binding = bindingOf(sdk, interop);
        const attributes = (id: string) => ({
          id,
          source: '/foreign-producer',
          type: Shipped.type,
          subject: 'parcel-1',
          datacontenttype: 'application/json',
          data: { parcel: id },
        });
        const binary = new sdk.CloudEvent(attributes('sdk-binary'));
        const structured = new sdk.CloudEvent(attributes('sdk-structured'));
        await raw.send(Shipped.type, wireOf(binding.binary(binary as never), 'parcel-1'));
        await raw.send(Shipped.type, wireOf(binding.structured(structured as never), 'parcel-1'));
        // No `time` (optional in the spec): a plain JSON document written by hand.
        const timeless = JSON.stringify({ specversion: '1.0', ...attributes('hand-structured') });
        await raw.send(Shipped.type, {
          headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
          body: encoder.encode(timeless),
          key: 'parcel-1',
        });
        await waitFor(
          () => seen.length + deadLetters.records.length >= 3,
          ctx.timeoutMs,
          'three foreign events at the handler',
          () =>
            `${seen.length} handled, dead letters: ${deadLetters.records.map((r) => r.reason).join(' | ')}`,
        );
        expect(deadLetters.records.map((r) => r.reason)).toEqual([]);
        const byId = Object.fromEntries(seen.map((s) => [s.id, s]));
        for (const id of ['sdk-binary', 'sdk-structured', 'hand-structured']) {
          // No dataversion: the current version, not run through the v1 upcaster.
          expect(byId[id]).toMatchObject({ parcel: id, version: 2, correlationId: id });
        }
        expect(byId['hand-structured']?.timesource).toMatch(/^(broker|received)$/);
        expect(byId['sdk-binary']?.timesource).toBeUndefined();
      } finally {
        await consumer.close();
      }
    },
  );

  it.skipIf(skip)(
    titled("publishes what the SDK's own binding parser reads, through a raw client", skip, reason),
    async () => {
      const interop = ctx.interop as InteropOptions;
      const transport = await useTransports(ctx)();
      const Shipped = defineEvent(uniqueName('interop'), { schema: shipmentSchema });
      const reader = await interop.raw.read(Shipped.type);
      try {
        const event = Shipped.create(
          { parcel: 'p-9' },
          {
            subject: { type: 'Parcel', id: 'parcel-9', sequence: 4 },
            metadata: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
          },
        );
        // Through the real relay: an outbox (in memory) with one route to this transport.
        const outbox = createOutbox({ store: createMemoryOutboxStore(), routes: [{ name: 'broker' }] });
        await outbox.publish(event);
        const relay = createOutboxRelay(outbox, {
          transports: { broker: { transport, source: '/tidings-contract' } },
        });
        await relay.drain();
        await waitFor(
          () => reader.messages.length >= 1,
          ctx.timeoutMs,
          'the published event at the raw client',
        );
        const message = reader.messages[0] as RawWireMessage;
        // HTTP's parser reads a text body, Kafka's a Buffer value.
        const value = Buffer.from(message.body);
        const parsed = bindingOf(interop.sdk, interop).toEvent({
          headers: message.headers,
          body: value.toString('utf8'),
          value,
          key: message.key,
        } as never) as Record<string, unknown>;
        expect(parsed).toMatchObject({
          specversion: '1.0',
          id: event.id,
          type: Shipped.type,
          source: '/tidings-contract',
          subject: 'parcel-9',
          subjecttype: 'Parcel',
          datacontenttype: 'application/json',
          correlationid: event.correlationId,
          traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
          data: { parcel: 'p-9' },
        });
        expect(String(parsed.dataversion)).toBe('1');
        expect(String(parsed.subjectsequence)).toBe('4');
        expect(new Date(String(parsed.time)).toISOString()).toBe(new Date(event.occurredAt).toISOString());
      } finally {
        await reader.close();
      }
    },
  );
}
