import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TimeoutError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { durableHandler } from '../outbox/durable-handler.ts';
import { runDurableHandler } from './run-handler.ts';

const Pinged = defineEvent('Pinged', { schema: z.object({ n: z.number() }) });
const runtime = { outbox: undefined, inbox: undefined, catalog: undefined };
const Original = globalThis.AbortController;

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
});

describe('the per-run abort signal', () => {
  const parent = new Original().signal;
  const run = (handler: ReturnType<typeof durableHandler>) =>
    runDurableHandler(runtime, { handler, event: Pinged.create({ n: 1 }), attempt: 1, signal: parent });

  it('is not made for a handler that never reads context.signal', async () => {
    const handler = durableHandler('quiet', Pinged, async () => {});
    expect(await controllersMadeBy(() => run(handler))).toBe(0);
  });

  it('is made on first read, once, and aborts when the handler times out', async () => {
    let seen: AbortSignal | undefined;
    const handler = durableHandler(
      'slow',
      Pinged,
      async (_e, context) => {
        seen = context.signal;
        expect(context.signal).toBe(seen);
        await new Promise<void>((resolve) => seen!.addEventListener('abort', () => resolve()));
      },
      { timeoutMs: 5 },
    );
    let outcome: unknown;
    const made = await controllersMadeBy(() => run(handler).catch((error: unknown) => (outcome = error)));
    expect(made).toBe(1);
    expect(outcome).toBeInstanceOf(TimeoutError);
    expect(seen!.aborted).toBe(true);
    expect(seen!.reason).toBe(outcome);
  });

  it('follows the relay signal that was aborted before the handler read it', async () => {
    const relay = new Original();
    relay.abort(new Error('closing'));
    let reason: unknown;
    const handler = durableHandler('late', Pinged, (_e, context) => {
      reason = context.signal.reason;
    });
    await runDurableHandler(runtime, {
      handler,
      event: Pinged.create({ n: 1 }),
      attempt: 1,
      signal: relay.signal,
    });
    expect((reason as Error).message).toBe('closing');
  });
});
