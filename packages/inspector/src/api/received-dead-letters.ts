/**
 * Received dead letters (the consumer's, kept in the consuming service's store) for the CLI
 * and the web API: listed as JSON-friendly views (the body as base64 and its size, the
 * event type and id read from the CloudEvents headers where present), and redrive
 * requests, one by id or all of them (optionally one handler's), which the consumer's
 * redrive loop carries out.
 */
import { ConfigurationError, type OutboxStore, type ReceivedDeadLetter } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

export interface ReceivedDeadLetterView extends Omit<ReceivedDeadLetter, 'body'> {
  readonly kind: 'received';
  readonly eventType: string | undefined;
  readonly eventId: string | undefined;
  readonly bodyBase64: string;
  readonly bodyBytes: number;
}

export function toReceivedView(letter: ReceivedDeadLetter): ReceivedDeadLetterView {
  const { body, ...fields } = letter;
  return {
    kind: 'received',
    ...fields,
    eventType: letter.headers['ce-type'],
    eventId: letter.headers['ce-id'],
    bodyBase64: Buffer.from(body).toString('base64'),
    bodyBytes: body.byteLength,
  };
}

/** Received dead letters still dead or waiting for their redrive; none when the store keeps none. */
export async function listReceived(
  store: Pick<OutboxStore, 'receivedDeadLetters'>,
  query: {
    readonly handler?: string | undefined;
    readonly limit?: number | undefined;
    readonly since?: string;
  },
): Promise<readonly ReceivedDeadLetterView[]> {
  const port = store.receivedDeadLetters;
  if (!port) return [];
  const base = {
    ...(query.handler ? { handler: query.handler } : {}),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.since === undefined ? {} : { since: query.since }),
  };
  const [dead, requested] = await Promise.all([
    port.list({ ...base, status: 'dead' }),
    port.list({ ...base, status: 'redrive-requested' }),
  ]);
  const all = [...dead, ...requested].sort((a, b) => a.lastFailedAt.localeCompare(b.lastFailedAt));
  return all.slice(0, query.limit ?? all.length).map(toReceivedView);
}

export type ReceivedRedriveSelection =
  | { readonly all: true; readonly handler?: string | undefined }
  | { readonly ids: readonly string[] };

const page = 500;

/** Asks for the redrive of received dead letters; returns how many were newly requested. */
export async function requestReceivedRedrive(
  store: Pick<OutboxStore, 'receivedDeadLetters'>,
  selection: ReceivedRedriveSelection,
): Promise<number> {
  const port = store.receivedDeadLetters;
  if (!port) {
    throw new ConfigurationError(
      'This store keeps no received dead letters (it has no receivedDeadLetters).',
    );
  }
  if ('ids' in selection) return selection.ids.length === 0 ? 0 : port.requestRedrive(selection.ids);
  let total = 0;
  for (;;) {
    const letters = await port.list({
      status: 'dead',
      limit: page,
      ...(selection.handler === undefined ? {} : { handler: selection.handler }),
    });
    if (letters.length === 0) return total;
    const requested = await port.requestRedrive(letters.map((letter) => letter.id));
    total += requested;
    if (requested === 0 || letters.length < page) return total;
  }
}

/** Whether a redrive request body is about received dead letters (`receivedId(s)`, `received`). */
export function isReceivedRedriveBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  return 'receivedId' in body || 'receivedIds' in body || 'received' in body;
}

/** Checks `{ receivedId }`, `{ receivedIds: [...] }` or `{ received: 'all', handler? }`. */
export function parseReceivedRedrive(body: unknown): ReceivedRedriveSelection {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const fail = (): never => {
    throw new ConfigurationError(
      `Redrive body ${describeValue(body)} is not understood. Send {"receivedId":"…"}, {"receivedIds":[…]} or {"received":"all"}.`,
    );
  };
  if (b.received === 'all') {
    if (b.handler !== undefined && typeof b.handler !== 'string') return fail();
    return { all: true, handler: b.handler as string | undefined };
  }
  const ids = b.receivedIds ?? (b.receivedId === undefined ? undefined : [b.receivedId]);
  if (!Array.isArray(ids) || ids.length > 10_000) return fail();
  if (ids.some((id) => typeof id !== 'string' || id === '')) return fail();
  return { ids: ids as string[] };
}
