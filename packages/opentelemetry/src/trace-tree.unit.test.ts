import { SpanKind, trace } from '@opentelemetry/api';
import {
  type AnyDomainEvent,
  createCatalog,
  createConsumer,
  createMemoryDeadLetterSink,
  createMemoryOutboxStore,
  createMemoryTransport,
  createOutbox,
  createOutboxRelay,
  defineEvent,
  durableHandler,
  type MemoryTx,
} from '@tidings/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTestTelemetry, type TestTelemetry, waitUntil } from '../test/telemetry.ts';
import { installTidingsTracing, type TidingsTelemetry } from './install.ts';
import { spanContextOf } from './trace-context.ts';

const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
const EmailSent = defineEvent('EmailSent', { schema: z.object({ orderId: z.string() }) });
const catalog = createCatalog([OrderPlaced, EmailSent]);

let telemetry: TestTelemetry;
let installed: TidingsTelemetry | undefined;
beforeAll(() => {
  telemetry = createTestTelemetry();
});
afterEach(() => installed?.close());
afterAll(() => telemetry.close());

function install() {
  installed = installTidingsTracing({
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  return installed;
}

/** A producer outbox routed to a memory transport, and a consumer service behind it. */
function pipeline(handle: (event: AnyDomainEvent) => Promise<void>) {
  const transport = createMemoryTransport();
  const producer = createOutbox({ store: createMemoryOutboxStore(), routes: [{ name: 'broker' }] });
  const relay = createOutboxRelay(producer, { transports: { broker: transport } });
  const followUps = createOutbox<MemoryTx>({ store: createMemoryOutboxStore() });
  const consumer = createConsumer<MemoryTx>({
    transport,
    catalog,
    outbox: followUps,
    deadLetters: createMemoryDeadLetterSink(),
    handlers: [
      durableHandler('send-email', OrderPlaced, async (event, context) => {
        await handle(event);
        await context.publish(EmailSent, { orderId: event.payload.orderId });
      }),
    ],
  });
  return {
    producer,
    relay,
    consumer,
    followUps,
    async close() {
      await relay.close();
      await consumer.close();
      await transport.close();
    },
  };
}

describe('one trace from event creation to the remote handler', () => {
  it('joins create → relay send → broker → consumer process, and carries it into follow-ups', async () => {
    install();
    const handled: AnyDomainEvent[] = [];
    const flow = pipeline(async (event) => {
      handled.push(event);
    });
    await flow.consumer.start();
    const tracer = telemetry.tracerProvider.getTracer('test');
    const placed = await tracer.startActiveSpan('place order', async (span) => {
      const event = OrderPlaced.create({ orderId: 'o-1' });
      await flow.producer.publish(event);
      span.end();
      return event;
    });
    await flow.relay.drain();
    await waitUntil(() => handled.length === 1, 'the handler');
    const followUps = await flow.followUps.store.events();
    await flow.close();

    const root = telemetry.span('place order');
    const send = telemetry.span('send OrderPlaced');
    const process = telemetry.span('process OrderPlaced');
    const traceId = root.spanContext().traceId;

    // The event carries the span it was created in.
    expect(spanContextOf(placed.metadata)?.spanId).toBe(root.spanContext().spanId);
    expect(handled[0]?.metadata.traceparent).toBe(placed.metadata.traceparent);

    expect(send.spanContext().traceId).toBe(traceId);
    expect(send.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(send.kind).toBe(SpanKind.PRODUCER);
    expect(send.links.map((l) => l.context.spanId)).toEqual([root.spanContext().spanId]);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'memory',
      'messaging.operation.type': 'send',
      'messaging.destination.name': 'OrderPlaced',
      'messaging.message.id': placed.id,
      'tidings.event.type': 'OrderPlaced',
      'tidings.route': 'broker',
    });

    expect(process.spanContext().traceId).toBe(traceId);
    expect(process.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.links.map((l) => [l.context.spanId, l.attributes?.['messaging.message.id']])).toEqual([
      [root.spanContext().spanId, placed.id],
    ]);
    expect(process.attributes).toMatchObject({
      // Delivered by the consumer runtime: the transport's system, not "tidings".
      'messaging.system': 'memory',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'OrderPlaced',
      'messaging.message.id': placed.id,
      'messaging.consumer.group.name': 'send-email',
      'tidings.event.type': 'OrderPlaced',
      'tidings.correlation_id': placed.correlationId,
      'tidings.attempt': 1,
    });

    // The follow-up event was created inside the handler's span: the next hop continues the tree.
    const followUp = followUps[0]?.event;
    expect(followUp?.type).toBe('EmailSent');
    expect(followUp?.causationId).toBe(placed.id);
    expect(spanContextOf(followUp?.metadata ?? {})).toMatchObject({
      traceId,
      spanId: process.spanContext().spanId,
    });
  });

  it('gives a batch that joins several traces a trace of its own, linked to each', async () => {
    install();
    const transport = createMemoryTransport();
    const producer = createOutbox({ store: createMemoryOutboxStore(), routes: [{ name: 'broker' }] });
    const relay = createOutboxRelay(producer, { transports: { broker: transport } });
    const tracer = telemetry.tracerProvider.getTracer('test');
    const parents = [];
    const traced: string[] = [];
    for (const orderId of ['o-a', 'o-b']) {
      parents.push(
        await tracer.startActiveSpan(`request ${orderId}`, { root: true }, async (span) => {
          const event = OrderPlaced.create({ orderId });
          traced.push(event.id);
          await producer.publish(event);
          span.end();
          return span.spanContext();
        }),
      );
    }
    const untraced = OrderPlaced.create({ orderId: 'o-c' });
    expect(untraced.metadata).toEqual({});
    await producer.publish(untraced);
    await relay.drain();
    await relay.close();
    await transport.close();

    const send = telemetry.spans().find((s) => s.name === 'send OrderPlaced' && s.links.length === 2);
    expect(send).toBeDefined();
    expect(send?.parentSpanContext).toBeUndefined();
    expect(parents.map((p) => p.traceId)).not.toContain(send?.spanContext().traceId);
    expect(send?.links.map((l) => l.context.spanId).sort()).toEqual(parents.map((p) => p.spanId).sort());
    // Each link names its message, so a trace viewer can tell which event came from where.
    const linkIds = send?.links.map((l) => l.attributes?.['messaging.message.id']);
    expect(linkIds?.sort()).toEqual(traced.sort());
    expect(send?.attributes['messaging.batch.message_count']).toBe(3);
  });

  it('leaves events alone when tracing is not installed, and lets explicit metadata win', () => {
    const tracer = telemetry.tracerProvider.getTracer('test');
    tracer.startActiveSpan('no hook', (span) => {
      expect(OrderPlaced.create({ orderId: 'o-1' }).metadata).toEqual({});
      const hooks = install();
      const explicit = OrderPlaced.create(
        { orderId: 'o-1' },
        { metadata: { traceparent: 'mine', tenant: 't' } },
      );
      expect(explicit.metadata).toEqual({ traceparent: 'mine', tenant: 't' });
      expect(OrderPlaced.create({ orderId: 'o-2' }).metadata.traceparent).toMatch(
        new RegExp(`^00-${span.spanContext().traceId}-${span.spanContext().spanId}-01$`),
      );
      hooks.close();
      expect(OrderPlaced.create({ orderId: 'o-3' }).metadata).toEqual({});
      span.end();
    });
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
