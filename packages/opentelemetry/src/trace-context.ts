/**
 * W3C Trace Context in event metadata: writes the active span as `traceparent` /
 * `tracestate` and reads them back as a remote span context. Done by hand (the format is
 * one line) so it works whatever global propagator the application installed, since the
 * CloudEvents codec carries exactly these two keys between services.
 */
import {
  type Context,
  context,
  createTraceState,
  isSpanContextValid,
  type SpanContext,
  TraceFlags,
  trace,
} from '@opentelemetry/api';

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The span of `ctx` (default: the active one) as event metadata, or undefined without a valid span. */
export function traceMetadata(ctx: Context = context.active()): Record<string, string> | undefined {
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return undefined;
  const sampled = (span.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  const metadata: Record<string, string> = { traceparent: `00-${span.traceId}-${span.spanId}-${sampled}` };
  const state = span.traceState?.serialize();
  if (state) metadata.tracestate = state;
  return metadata;
}

/**
 * The creating span context carried by an event, or undefined when the metadata has no
 * valid `traceparent` (a malformed one is ignored: tracing must never fail a handler).
 */
export function spanContextOf(metadata: Readonly<Record<string, string>>): SpanContext | undefined {
  const match = traceparentPattern.exec(metadata.traceparent ?? '');
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match as unknown as string[];
  // Version ff is forbidden; version 00 has exactly four fields. Later versions may add more.
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const span: SpanContext = {
    traceId: traceId as string,
    spanId: spanId as string,
    traceFlags: Number.parseInt(flags as string, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  if (!isSpanContextValid(span)) return undefined;
  const state = metadata.tracestate;
  return state ? { ...span, traceState: createTraceState(state) } : span;
}
