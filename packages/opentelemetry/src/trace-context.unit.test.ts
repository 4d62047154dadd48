import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { spanContextOf, traceMetadata } from './trace-context.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const spanId = '00f067aa0ba902b7';

describe('W3C trace context in event metadata', () => {
  it('writes and reads back traceparent and tracestate', () => {
    const parsed = spanContextOf({
      traceparent: `00-${traceId}-${spanId}-01`,
      tracestate: 'vendor=a,other=b',
    });
    expect(parsed).toMatchObject({ traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(parsed?.traceState?.get('vendor')).toBe('a');
    const written = traceMetadata(trace.setSpanContext(ROOT_CONTEXT, parsed!));
    expect(written).toEqual({ traceparent: `00-${traceId}-${spanId}-01`, tracestate: 'vendor=a,other=b' });
  });

  it('accepts future versions with extra fields, ignores anything malformed', () => {
    expect(spanContextOf({ traceparent: `01-${traceId}-${spanId}-00-extra` })?.traceFlags).toBe(
      TraceFlags.NONE,
    );
    for (const traceparent of [
      '',
      'garbage',
      `ff-${traceId}-${spanId}-01`,
      `00-${traceId}-${spanId}-01-extra`,
      `00-${'0'.repeat(32)}-${spanId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `00-${traceId.toUpperCase()}-${spanId}-01`,
    ]) {
      expect(spanContextOf({ traceparent }), traceparent).toBeUndefined();
    }
    expect(spanContextOf({})).toBeUndefined();
  });

  it('writes nothing outside a valid span', () => {
    expect(traceMetadata(ROOT_CONTEXT)).toBeUndefined();
  });
});
