/**
 * The story both processes share (one event type, one handler name) and finished spans as
 * plain JSON, so the child consumer can hand its spans to the test over stdout.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { defineEvent } from '@tidings/core';
import { z } from 'zod';

export const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string() }) });
export const handlerName = 'send-email';

export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly attributes: Record<string, unknown>;
}

export interface SpanRecord {
  readonly name: string;
  readonly kind: number;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Record<string, unknown>;
  readonly links: SpanLink[];
}

export function toRecord(span: ReadableSpan): SpanRecord {
  return {
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    attributes: { ...span.attributes },
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      attributes: { ...link.attributes },
    })),
  };
}
