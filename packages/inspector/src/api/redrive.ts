/**
 * Redriving dead letters, shared by the CLI and the web API: one delivery by event id and
 * consumer, or all of them (optionally one consumer's), read and redriven page by page.
 */
import { ConfigurationError, type OutboxStore } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

export type RedriveSelection =
  | { readonly all: true; readonly consumer?: string | undefined }
  | { readonly refs: readonly { readonly eventId: string; readonly consumer: string }[] };

const page = 500;

/**
 * Returns how many deliveries became pending again.
 *
 * @example
 * await redriveDeadLetters(store, { refs: [{ eventId, consumer: 'send-order-confirmation' }] });
 * await redriveDeadLetters(store, { all: true });
 */
export async function redriveDeadLetters(
  store: Pick<OutboxStore, 'deadLetters' | 'redrive'>,
  selection: RedriveSelection,
): Promise<number> {
  if ('refs' in selection) return selection.refs.length === 0 ? 0 : store.redrive(selection.refs);
  let total = 0;
  for (;;) {
    const letters = await store.deadLetters({
      limit: page,
      ...(selection.consumer === undefined ? {} : { consumer: selection.consumer }),
    });
    if (letters.length === 0) return total;
    const redriven = await store.redrive(letters.map(({ eventId, consumer }) => ({ eventId, consumer })));
    total += redriven;
    // Nothing moved (another process raced us): stop rather than loop on the same page.
    if (redriven === 0 || letters.length < page) return total;
  }
}

/**
 * Checks an untrusted request body: `{ eventId, consumer }`, `{ refs: [...] }` or
 * `{ all: true, consumer? }`.
 */
export function parseRedriveSelection(body: unknown): RedriveSelection {
  const fail = (): never => {
    throw new ConfigurationError(
      `Redrive body ${describeValue(body)} is not understood. Send {"eventId":"…","consumer":"…"}, {"refs":[…]} or {"all":true}.`,
    );
  };
  if (typeof body !== 'object' || body === null) return fail();
  const b = body as Record<string, unknown>;
  if (b.all === true) {
    if (b.consumer !== undefined && typeof b.consumer !== 'string') return fail();
    return { all: true, consumer: b.consumer as string | undefined };
  }
  const refs = Array.isArray(b.refs) ? b.refs : [b];
  if (refs.length > 10_000) return fail();
  return {
    refs: refs.map((ref: unknown) => {
      const r = (typeof ref === 'object' && ref !== null ? ref : {}) as Record<string, unknown>;
      if (typeof r.eventId !== 'string' || typeof r.consumer !== 'string' || !r.eventId || !r.consumer) {
        return fail();
      }
      return { eventId: r.eventId, consumer: r.consumer };
    }),
  };
}
