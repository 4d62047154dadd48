/**
 * Timeout middleware and middleware composition. Time is vitest's fake clock, so the
 * tests neither sleep nor depend on the machine's speed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createHandlerContext } from '../bus/context.ts';
import type { Handler, HandlerContext } from '../bus/handler.ts';
import { TimeoutError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { type Middleware, withMiddleware } from './middleware.ts';
import { retry } from './retry.ts';
import { timeout } from './timeout.ts';

const Job = defineEvent('Job', { schema: z.object({ id: z.string() }) });
const event = Job.create({ id: 'j-1' });

function contextFor(signal?: AbortSignal): HandlerContext {
  return createHandlerContext('slow-worker', event, async () => {}, 1, signal);
}

/** A handler that only finishes when its signal aborts; records the signal it got. */
function waitsForAbort() {
  const signals: AbortSignal[] = [];
  const handler: Handler = (_event, context) => {
    signals.push(context.signal);
    return new Promise<void>((_, reject) => {
      context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
    });
  };
  return { signals, handler };
}

describe('timeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects with TimeoutError after ms and aborts the handler’s signal', async () => {
    const { signals, handler } = waitsForAbort();
    const running = timeout({ ms: 1000 })(handler)(event, contextFor());
    const outcome = Promise.resolve(running).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(999);
    expect(signals[0]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(TimeoutError.is(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Handler "slow-worker" did not finish Job ${event.id} within 1000 ms.`,
    );
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[0]?.reason).toBe(error);
  });

  it('resolves with the handler when it finishes in time and clears its timer', async () => {
    let finished = false;
    const handler: Handler = async () => {
      finished = true;
    };
    await timeout({ ms: 1000 })(handler)(event, contextFor());
    expect(finished).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a handler’s own failure through unchanged', async () => {
    const boom = new Error('boom');
    const handler: Handler = async () => {
      throw boom;
    };
    await expect(timeout({ ms: 1000 })(handler)(event, contextFor())).rejects.toBe(boom);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('forwards an abort of the outer signal to the handler', async () => {
    const outer = new AbortController();
    const { signals, handler } = waitsForAbort();
    const running = timeout({ ms: 60_000 })(handler)(event, contextFor(outer.signal));
    const closing = new Error('runtime closing');
    outer.abort(closing);
    await expect(running).rejects.toBe(closing);
    expect(signals[0]?.reason).toBe(closing);
  });

  it('times out each retry attempt separately when placed inside retry', async () => {
    const { signals, handler } = waitsForAbort();
    const waits: number[] = [];
    const wrapped = withMiddleware(
      handler,
      retry({ maxAttempts: 2, sleep: async (ms) => void waits.push(ms), random: () => 0 }),
      timeout({ ms: 100 }),
    );
    const outcome = Promise.resolve(wrapped(event, contextFor())).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(100);
    expect(TimeoutError.is(await outcome)).toBe(true);
    expect(signals).toHaveLength(2);
    expect(waits).toEqual([0]);
  });
});

describe('withMiddleware', () => {
  it('applies the first listed as the outermost', async () => {
    const log: string[] = [];
    const tag =
      (name: string): Middleware =>
      (next) =>
      async (e, c) => {
        log.push(`${name} in`);
        await next(e, c);
        log.push(`${name} out`);
      };
    const handler: Handler = () => void log.push('handler');
    await withMiddleware(handler, tag('outer'), tag('middle'), tag('inner'))(event, contextFor());
    expect(log).toEqual([
      'outer in',
      'middle in',
      'inner in',
      'handler',
      'inner out',
      'middle out',
      'outer out',
    ]);
  });

  it('returns the handler itself when there is no middleware', () => {
    const handler: Handler = () => {};
    expect(withMiddleware(handler)).toBe(handler);
  });
});
