/**
 * The `send` span of a relay publishing one batch to a transport (a PRODUCER span). Each
 * event's creating context becomes a span LINK. When every event of the batch comes from
 * one trace, the span is also a child in that trace; a batch that joins several traces
 * starts a trace of its own, tied to each by its links.
 */
import {
  type Attributes,
  context,
  type Link,
  type SpanContext,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { PublishBatchInfo } from '@tidings/core/spi';
import { attr, eventAttributes } from './attributes.ts';
import { runInSpan, type SpanOutcome } from './run-in-span.ts';
import { spanContextOf } from './trace-context.ts';

function creationLinks(batch: PublishBatchInfo): {
  links: Link[];
  contexts: SpanContext[];
  untraced: number;
} {
  const seen = new Map<string, SpanContext>();
  let untraced = 0;
  for (const event of batch.events) {
    const span = spanContextOf(event.metadata);
    if (span) seen.set(`${span.traceId}-${span.spanId}`, span);
    else untraced++;
  }
  const contexts = [...seen.values()];
  return { links: contexts.map((span) => ({ context: span })), contexts, untraced };
}

function distinct(values: readonly string[]): string | undefined {
  const first = values[0];
  return first !== undefined && values.every((v) => v === first) ? first : undefined;
}

/** Runs `work` (the transport publish) inside the batch's send span. */
export function traceSend<T>(
  tracer: Tracer,
  batch: PublishBatchInfo,
  work: () => T,
  outcome: SpanOutcome = {},
): T {
  const { links, contexts, untraced } = creationLinks(batch);
  const topic = distinct(batch.messages.map((m) => m.topic));
  const type = distinct(batch.events.map((e) => e.type));
  const attributes: Attributes = {
    [attr.system]: batch.transport,
    [attr.operationType]: 'send',
    [attr.operationName]: 'send',
    [attr.route]: batch.route,
  };
  if (topic !== undefined) attributes[attr.destination] = topic;
  if (type !== undefined) attributes[attr.eventType] = type;
  const only = batch.events.length === 1 ? batch.events[0] : undefined;
  if (only) Object.assign(attributes, eventAttributes(only));
  else attributes[attr.batchCount] = batch.events.length;

  // A relay loop's active context is whatever started it: never a meaningful parent.
  const detached = trace.deleteSpan(context.active());
  const sameTrace = untraced === 0 ? distinct(contexts.map((c) => c.traceId)) : undefined;
  const parent =
    sameTrace !== undefined && contexts[0] ? trace.setSpanContext(detached, contexts[0]) : detached;
  const span = tracer.startSpan(
    topic === undefined ? 'send' : `send ${topic}`,
    { kind: SpanKind.PRODUCER, attributes, links },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span), work, outcome);
}
