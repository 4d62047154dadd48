/**
 * Retry middleware and backoff: attempts, delays, DoNotRetry / RetryLater steering and
 * attempt numbers, all with an injected `sleep` and `random` so no real time passes.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHandlerContext } from '../bus/context.ts';
import type { Handler, HandlerContext } from '../bus/handler.ts';
import { DoNotRetry, RetryLater } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { backoffDelay, defaultRetryPolicy, resolvePolicy } from './backoff.ts';
import { type RetryOptions, retry, sleep } from './retry.ts';

const Job = defineEvent('Job', { schema: z.object({ id: z.string() }) });
const event = Job.create({ id: 'j-1' });

function contextFor(signal?: AbortSignal, attempt = 1): HandlerContext {
  return createHandlerContext('worker', event, async () => {}, attempt, signal);
}

/** A retry wired to record every wait instead of waiting. */
function recordingRetry(options: Omit<RetryOptions, 'sleep'> = {}) {
  const waits: number[] = [];
  const middleware = retry({
    random: () => 0.5,
    ...options,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { waits, middleware };
}

/** A handler that fails with the given errors in turn, then succeeds; records attempts. */
function failingThen(errors: unknown[]) {
  const attempts: number[] = [];
  const handler: Handler = async (_event, context) => {
    attempts.push(context.attempt);
    const error = errors[attempts.length - 1];
    if (error !== undefined) throw error;
  };
  return { attempts, handler };
}

describe('backoffDelay', () => {
  it('grows exponentially from the base without jitter', () => {
    const policy = { baseDelayMs: 100, factor: 2, jitter: 'none' } as const;
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy))).toEqual([100, 200, 400, 800, 1600]);
    expect(backoffDelay(3, { baseDelayMs: 10, factor: 3, jitter: 'none' })).toBe(90);
  });

  it('is capped by maxDelayMs', () => {
    expect(backoffDelay(30, { baseDelayMs: 100, maxDelayMs: 5000, jitter: 'none' })).toBe(5000);
    expect(backoffDelay(10_000, { jitter: 'none' })).toBe(defaultRetryPolicy.maxDelayMs);
  });

  it('draws full jitter uniformly from [0, computed)', () => {
    const policy = { baseDelayMs: 100, jitter: 'full' } as const;
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(200);
    expect(backoffDelay(3, policy, () => 0.999_999)).toBe(399);
  });

  it('uses sane defaults, full jitter included', () => {
    expect(resolvePolicy()).toEqual({
      maxAttempts: 5,
      baseDelayMs: 100,
      maxDelayMs: 30_000,
      factor: 2,
      jitter: 'full',
    });
    expect(backoffDelay(2, {}, () => 0.5)).toBe(100);
  });
});

describe('retry', () => {
  it('retries with exponential backoff and jitter until it succeeds', async () => {
    const { waits, middleware } = recordingRetry({ maxAttempts: 5, baseDelayMs: 100 });
    const { attempts, handler } = failingThen([new Error('1'), new Error('2'), new Error('3')]);
    await middleware(handler)(event, contextFor());
    expect(attempts).toEqual([1, 2, 3, 4]);
    // random() = 0.5 halves 100, 200, 400
    expect(waits).toEqual([50, 100, 200]);
  });

  it('rethrows the last error unchanged after maxAttempts', async () => {
    const { waits, middleware } = recordingRetry({ maxAttempts: 3, jitter: 'none', baseDelayMs: 10 });
    const last = new Error('third');
    const { attempts, handler } = failingThen([new Error('first'), new Error('second'), last, undefined]);
    await expect(middleware(handler)(event, contextFor())).rejects.toBe(last);
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([10, 20]);
  });

  it('stops at once on DoNotRetry', async () => {
    const { waits, middleware } = recordingRetry({ maxAttempts: 5 });
    const fatal = new DoNotRetry('the order no longer exists');
    const { attempts, handler } = failingThen([fatal]);
    await expect(middleware(handler)(event, contextFor())).rejects.toBe(fatal);
    expect(attempts).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it('recognises DoNotRetry from another copy of the package', async () => {
    const foreign = Object.assign(new Error('foreign'), {
      [Symbol.for('@tidings/error')]: true,
      code: 'TIDINGS_DO_NOT_RETRY',
    });
    const { middleware } = recordingRetry();
    const { attempts, handler } = failingThen([foreign]);
    await expect(middleware(handler)(event, contextFor())).rejects.toBe(foreign);
    expect(attempts).toEqual([1]);
  });

  it('honours the delay RetryLater asks for', async () => {
    const { waits, middleware } = recordingRetry({ baseDelayMs: 100, jitter: 'none' });
    const { attempts, handler } = failingThen([new RetryLater('rate limited', 7_000), new Error('x')]);
    await middleware(handler)(event, contextFor());
    expect(attempts).toEqual([1, 2, 3]);
    expect(waits).toEqual([7_000, 200]);
  });

  it('gives each attempt its number in the context and keeps the rest of it', async () => {
    const seen: Pick<HandlerContext, 'handler' | 'attempt'>[] = [];
    const { middleware } = recordingRetry({ maxAttempts: 3 });
    const handler: Handler = async (_e, context) => {
      seen.push({ handler: context.handler, attempt: context.attempt });
      if (context.attempt < 3) throw new Error('again');
      expect(typeof context.publish).toBe('function');
    };
    await middleware(handler)(event, contextFor());
    expect(seen).toEqual([
      { handler: 'worker', attempt: 1 },
      { handler: 'worker', attempt: 2 },
      { handler: 'worker', attempt: 3 },
    ]);
  });

  it('counts attempts already made by an outer runtime', async () => {
    const { attempts, handler } = failingThen([new Error('a'), new Error('b')]);
    const { middleware } = recordingRetry({ maxAttempts: 4 });
    await expect(middleware(handler)(event, contextFor(undefined, 3))).rejects.toThrow('b');
    expect(attempts).toEqual([3, 4]);
  });

  it('reports each retry to onRetry', async () => {
    const infos: { attempt: number; delayMs: number; error: unknown }[] = [];
    const first = new Error('first');
    const { middleware } = recordingRetry({ jitter: 'none', baseDelayMs: 5, onRetry: (i) => infos.push(i) });
    const { handler } = failingThen([first]);
    await middleware(handler)(event, contextFor());
    expect(infos).toEqual([{ attempt: 1, delayMs: 5, error: first }]);
  });

  it('stops retrying once the signal is aborted', async () => {
    const controller = new AbortController();
    const { attempts, handler } = failingThen([new Error('a'), new Error('b')]);
    const { waits, middleware } = recordingRetry({ maxAttempts: 5 });
    const wrapped: Handler = async (e, c) => {
      controller.abort(new Error('closing'));
      return handler(e, c);
    };
    await expect(middleware(wrapped)(event, contextFor(controller.signal))).rejects.toThrow('a');
    expect(attempts).toEqual([1]);
    expect(waits).toEqual([]);
  });

  it('passes the context signal to sleep so a wait can be cut short', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const middleware = retry({
      sleep: async (_ms, signal) => {
        signals.push(signal);
      },
    });
    const { handler } = failingThen([new Error('a')]);
    await middleware(handler)(event, contextFor(controller.signal));
    expect(signals).toEqual([controller.signal]);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason when aborted, before or during the wait', async () => {
    const reason = new Error('stop');
    await expect(sleep(10, AbortSignal.abort(reason))).rejects.toBe(reason);
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
  });
});
