/**
 * The `send` span of a relay publishing one batch to a transport (a PRODUCER span). Each
 * message's creation context (its `traceparent`) becomes a span LINK carrying the
 * message's `messaging.message.id`, as the conventions ask of batch sends. When every
 * event of the batch comes from one trace, the span is also a child in that trace; a batch
 * that joins several traces starts a trace of its own, tied to each by its links.
 */
import { type Attributes, context, type Link, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { PublishBatchInfo } from '@tidings/core/spi';
import { attr, eventAttributes } from './attributes.ts';
import { sendAttributes } from './messaging-attributes.ts';
import { runInSpan, type SpanOutcome } from './run-in-span.ts';
import { spanContextOf } from './trace-context.ts';

function creationLinks(batch: PublishBatchInfo): { links: Link[]; untraced: number } {
  const links: Link[] = [];
  let untraced = 0;
  for (const event of batch.events) {
    const span = spanContextOf(event.metadata);
    if (span) links.push({ context: span, attributes: { [attr.messageId]: event.id } });
    else untraced++;
  }
  return { links, untraced };
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
  const { links, untraced } = creationLinks(batch);
  const type = distinct(batch.events.map((e) => e.type));
  const attributes: Attributes = {
    ...sendAttributes(batch),
    [attr.operationType]: 'send',
    [attr.operationName]: 'send',
    [attr.route]: batch.route,
  };
  if (type !== undefined) attributes[attr.eventType] = type;
  const only = batch.events.length === 1 ? batch.events[0] : undefined;
  if (only) Object.assign(attributes, eventAttributes(only));
  else attributes[attr.batchCount] = batch.events.length;

  // A relay loop's active context is whatever started it: never a meaningful parent.
  const detached = trace.deleteSpan(context.active());
  const first = links[0]?.context;
  const sameTrace = untraced === 0 ? distinct(links.map((l) => l.context.traceId)) : undefined;
  const parent = sameTrace !== undefined && first ? trace.setSpanContext(detached, first) : detached;
  const destination = attributes[attr.destination];
  const span = tracer.startSpan(
    destination === undefined ? 'send' : `send ${String(destination)}`,
    { kind: SpanKind.PRODUCER, attributes, links },
    parent,
  );
  return runInSpan(span, trace.setSpan(parent, span), work, outcome);
}
