import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { DecodeError, DoNotRetry, RetryLater, TimeoutError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import { setInstrumentation } from '../instrumentation/hooks.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import type { Outbox } from '../outbox/outbox.ts';
import { createPipeline } from './pipeline.ts';

const Pinged = defineEvent('Pinged', { schema: z.object({ n: z.number() }) });
const Other = defineEvent('Other', { schema: z.object({}) });
const Original = globalThis.AbortController;
const now = Date.UTC(2026, 0, 1);
const clock = () => now;

/** Counts AbortControllers made while `work` runs. */
async function controllersMadeBy(work: () => Promise<unknown>): Promise<number> {
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made += 1;
    }
  };
  try {
    await work();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

afterEach(() => {
  globalThis.AbortController = Original;
  vi.restoreAllMocks();
});

const ping = (n = 1): AnyDomainEvent => Pinged.create({ n });

describe('the per-run abort signal', () => {
  it('is not made for a handler that never reads context.signal', async () => {
    const pipeline = createPipeline({ clock });
    const handler = durableHandler('quiet', Pinged, async () => {});
    expect(await controllersMadeBy(() => pipeline.run(handler, { event: ping(), attempt: 1 }))).toBe(0);
  });

  it('is made on first read, once, and aborts when the handler times out', async () => {
    const pipeline = createPipeline({ clock });
    let seen: AbortSignal | undefined;
    const handler = durableHandler(
      'slow',
      Pinged,
      async (_e, context) => {
        seen = context.signal;
        expect(context.signal).toBe(seen);
        await new Promise<void>((resolve) => seen!.addEventListener('abort', () => resolve()));
      },
      { timeoutMs: 5, retry: { maxAttempts: 1 } },
    );
    let outcome: Awaited<ReturnType<typeof pipeline.run>> | undefined;
    const made = await controllersMadeBy(async () => {
      outcome = await pipeline.run(handler, { event: ping(), attempt: 1 });
    });
    expect(made).toBe(1);
    expect(outcome).toMatchObject({ kind: 'dead', code: 'TIDINGS_TIMEOUT' });
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBeInstanceOf(TimeoutError);
    expect(outcome?.kind === 'dead' && outcome.error).toBe(seen!.reason);
  });

  it('follows the pipeline signal that was aborted before the handler read it', async () => {
    const owner = new Original();
    owner.abort(new Error('closing'));
    const pipeline = createPipeline({ clock, signal: owner.signal });
    let reason: unknown;
    const handler = durableHandler('late', Pinged, (_e, context) => {
      reason = context.signal.reason;
    });
    await pipeline.run(handler, { event: ping(), attempt: 1 });
    expect((reason as Error).message).toBe('closing');
  });
});

describe('the deadline wheel of a pipeline', () => {
  it('times many runs out with one timer, not one per message, and leaves none behind', async () => {
    const pipeline = createPipeline({ clock });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const gates: (() => void)[] = [];
    let allStarted!: () => void;
    const started = new Promise<void>((resolve) => {
      allStarted = resolve;
    });
    const handler = durableHandler(
      'gated',
      Pinged,
      () =>
        new Promise<void>((resolve) => {
          if (gates.push(resolve) === 50) allStarted();
        }),
      { timeoutMs: 60_000 },
    );
    const runs = Array.from({ length: 50 }, (_, i) => pipeline.run(handler, { event: ping(i), attempt: 1 }));
    await started;
    expect(pipeline.wheel.size).toBe(50);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(1);
    for (const open of gates) open();
    expect((await Promise.all(runs)).every((o) => o.kind === 'done')).toBe(true);
    expect(pipeline.wheel.size).toBe(0);
  });
});

describe('outcomes', () => {
  const run = (handle: () => void, options: Parameters<typeof durableHandler>[3] = {}, attempt = 1) =>
    createPipeline({ clock, random: () => 0.5 }).run(durableHandler('h', Pinged, handle, options), {
      event: ping(),
      attempt,
    });

  it('is done when the handler succeeds', async () => {
    expect(await run(() => {})).toEqual({ kind: 'done' });
  });

  it('retries after the backoff with budget left, and dead-letters the last attempt', async () => {
    const retry = { maxAttempts: 3, baseDelayMs: 100, jitter: 'none' as const };
    const fail = () => {
      throw new Error('smtp refused');
    };
    expect(await run(fail, { retry }, 2)).toMatchObject({
      kind: 'retry',
      at: now + 200,
      reason: 'smtp refused',
    });
    expect(await run(fail, { retry }, 3)).toMatchObject({
      kind: 'dead',
      reason: 'smtp refused',
      code: undefined,
    });
  });

  it('takes the delay of RetryLater and dead-letters DoNotRetry at once, with its code', async () => {
    const later = await run(() => {
      throw new RetryLater('busy', 5_000);
    });
    expect(later).toMatchObject({ kind: 'retry', at: now + 5_000 });
    const never = await run(() => {
      throw new DoNotRetry('address is invalid');
    });
    expect(never).toMatchObject({ kind: 'dead', code: 'TIDINGS_DO_NOT_RETRY' });
  });

  it('is done without running for an event type the handler does not take', async () => {
    const handle = vi.fn();
    const pipeline = createPipeline({ clock });
    const outcome = await pipeline.run(durableHandler('h', Pinged, handle), {
      event: Other.create({}),
      attempt: 1,
    });
    expect(outcome.kind).toBe('done');
    expect(handle).not.toHaveBeenCalled();
  });

  it('releases without running while its owner is closing', async () => {
    const handle = vi.fn();
    const pipeline = createPipeline({ clock, closing: () => true });
    expect(await pipeline.run(durableHandler('h', Pinged, handle), { event: ping(), attempt: 1 })).toEqual({
      kind: 'released',
    });
    expect(handle).not.toHaveBeenCalled();
  });
});

describe('bad input', () => {
  it('dead-letters a message that cannot be read, with the decoder’s code, without running the handler', async () => {
    const handle = vi.fn();
    const outcome = await createPipeline({ clock }).run(durableHandler('h', Pinged, handle), {
      event: () => {
        throw new DecodeError('body is not JSON');
      },
      attempt: 1,
    });
    expect(outcome).toMatchObject({
      kind: 'dead',
      code: 'TIDINGS_DECODE',
      reason: expect.stringContaining('not JSON'),
    });
    expect(handle).not.toHaveBeenCalled();
  });

  it("dead-letters an event of a type the catalog does not know, instead of skipping it as another handler's", async () => {
    const handle = vi.fn();
    const pipeline = createPipeline({ clock, catalog: createCatalog([Pinged]) });
    const stranger = { ...ping(), type: 'Stranger' } as AnyDomainEvent;
    const outcome = await pipeline.run(durableHandler('h', Pinged, handle), { event: stranger, attempt: 1 });
    expect(outcome).toMatchObject({
      kind: 'dead',
      code: 'TIDINGS_UNKNOWN_EVENT_TYPE',
      reason: expect.stringContaining('Stranger'),
    });
    // A known type the handler does not take is still skipped.
    const known = createPipeline({ clock, catalog: createCatalog([Pinged, Other]) });
    expect(
      await known.run(durableHandler('h', Pinged, handle), { event: Other.create({}), attempt: 1 }),
    ).toEqual({
      kind: 'done',
    });
    expect(handle).not.toHaveBeenCalled();
  });

  it('dead-letters an event the catalog rejects, naming the field, on the first attempt', async () => {
    const handle = vi.fn();
    const pipeline = createPipeline({ clock, catalog: createCatalog([Pinged]) });
    const raw = { ...ping(), payload: { n: 'one' } } as AnyDomainEvent;
    const outcome = await pipeline.run(durableHandler('h', Pinged, handle), { event: raw, attempt: 1 });
    expect(outcome).toMatchObject({
      kind: 'dead',
      code: 'TIDINGS_VALIDATION',
      reason: expect.stringContaining('n'),
    });
    expect(outcome.kind === 'dead' && outcome.reason).toContain(raw.id);
    expect(handle).not.toHaveBeenCalled();
  });
});

describe('one retry budget', () => {
  it('dead-letters a delivery that came more often than the budget, without running the handler', async () => {
    const handle = vi.fn();
    const handler = durableHandler('fragile', Pinged, handle, { retry: { maxAttempts: 5 } });
    const pipeline = createPipeline({ clock });
    const outcome = await pipeline.run(handler, { event: ping(), attempt: 6 });
    expect(outcome).toMatchObject({
      kind: 'dead',
      code: 'TIDINGS_DELIVERY_LIMIT',
      reason: expect.stringMatching(
        /delivered 6 times without an outcome \(did the consumer die while handling it\?\)/i,
      ),
    });
    expect(handle).not.toHaveBeenCalled();
    // Within the budget the handler runs.
    expect((await pipeline.run(handler, { event: ping(), attempt: 5 })).kind).toBe('done');
    expect(handle).toHaveBeenCalledTimes(1);
  });

  it('tells the instrumentation of every dead run', async () => {
    const dead: string[] = [];
    const uninstall = setInstrumentation({
      onDeadLetter: (info) => dead.push(`${info.consumer}:${info.event.id}`),
    });
    try {
      const event = ping();
      await createPipeline({ clock }).run(
        durableHandler('h', Pinged, () => {}, { retry: { maxAttempts: 1 } }),
        { event, attempt: 2 },
      );
      expect(dead).toEqual([`h:${event.id}`]);
    } finally {
      uninstall();
    }
  });
});

describe('ambient causation', () => {
  /** What a handler created with `Definition.create` and with `context.publish`, in one run. */
  async function createdIn(ambientCausation: boolean | undefined) {
    const published: AnyDomainEvent[] = [];
    const outbox = {
      publish: async (events: AnyDomainEvent | readonly AnyDomainEvent[]) => {
        published.push(...(Array.isArray(events) ? events : [events]));
      },
    } as unknown as Outbox<unknown>;
    const pipeline = createPipeline({ clock, outbox, ambientCausation });
    let created: AnyDomainEvent | undefined;
    const handler = durableHandler('follow-up', Pinged, async (_event, context) => {
      await Promise.resolve();
      created = Other.create({});
      await context.publish(Other, {});
    });
    const cause = ping();
    expect(await pipeline.run(handler, { event: cause, attempt: 1 })).toMatchObject({ kind: 'done' });
    return { cause, created: created!, published: published[0]! };
  }

  it('is on by default: an event created anywhere in the handler, across awaits, is caused by the handled one', async () => {
    const { cause, created, published } = await createdIn(undefined);
    expect(created).toMatchObject({ causationId: cause.id, correlationId: cause.correlationId });
    expect(published).toMatchObject({ causationId: cause.id, correlationId: cause.correlationId });
  });

  it('off, only context.publish names the cause; Definition.create starts a new correlation', async () => {
    const { cause, created, published } = await createdIn(false);
    expect(created.causationId).toBeUndefined();
    expect(created.correlationId).toBe(created.id);
    expect(published).toMatchObject({ causationId: cause.id, correlationId: cause.correlationId });
  });
});
