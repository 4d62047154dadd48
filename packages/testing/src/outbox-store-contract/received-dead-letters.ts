/**
 * Contract scenarios for received dead letters (the consumer's dead letters kept in the
 * consuming service's store): kept intact and durably, idempotent on (handler, message id),
 * listed with filters, and carried through the redrive lifecycle.
 */
import {
  ConfigurationError,
  hasReceivedDeadLetters,
  type ReceivedDeadLetterInput,
  type ReceivedDeadLetters,
  receivedDeadLetterIdOf,
} from '@tidings/core';
import { expect, it } from 'vitest';
import type { ContractContext } from './context.ts';

let counter = 0;

/** A dead letter whose body is not valid UTF-8, as a poison message's may be. */
export function makeReceivedDeadLetter(
  extra: Partial<ReceivedDeadLetterInput> = {},
): ReceivedDeadLetterInput {
  counter += 1;
  return {
    handler: 'send-email',
    group: 'shop.send-email',
    messageId: `0199aaaa-0000-7000-8000-${String(counter).padStart(12, '0')}`,
    topic: 'Order',
    key: 'Order:1',
    reason: 'Payment provider said no',
    code: 'TIDINGS_DO_NOT_RETRY',
    attempts: 3,
    firstFailedAt: '2026-01-01T00:00:01.000Z',
    lastFailedAt: '2026-01-01T00:00:05.000Z',
    headers: { 'ce-id': `e-${counter}`, 'content-type': 'application/json', 'x-odd': 'ünï 😀' },
    body: new Uint8Array([0xff, 0x00, 0xfe, 0x7b]),
    ...extra,
  };
}

export function receivedDeadLetterScenarios<Tx>(c: ContractContext<Tx>): void {
  const port = (): ReceivedDeadLetters => {
    if (!hasReceivedDeadLetters(c.store)) throw new Error('the store has no receivedDeadLetters');
    return c.store.receivedDeadLetters;
  };

  it('keeps a record intact (headers and body bytes) and durably, where another connection reads it', async () => {
    const letter = makeReceivedDeadLetter();
    await port().put(letter);
    const peer = await c.fixture.peer();
    const [read] = hasReceivedDeadLetters(peer) ? await peer.receivedDeadLetters.list() : [];
    const { body, ...fields } = letter;
    expect(read).toMatchObject({
      ...fields,
      id: receivedDeadLetterIdOf(letter.handler, letter.messageId),
      status: 'dead',
      recordedAt: new Date(c.clock.now()).toISOString(),
    });
    expect(read?.redriveRequestedAt).toBeUndefined();
    expect([...(read?.body ?? [])]).toEqual([...body]);
    expect(await port().get(read!.id)).toEqual(read);
    expect(await port().get('nope')).toBeUndefined();
  });

  it('is idempotent on (handler, message id): a repeated put keeps the first record', async () => {
    const letter = makeReceivedDeadLetter({ code: undefined });
    await port().put(letter);
    await port().put({ ...letter, reason: 'second try', attempts: 9 });
    await port().put({ ...letter, handler: 'update-dashboard', group: 'shop.update-dashboard' });
    const all = await port().list();
    expect(all.map((r) => [r.handler, r.reason, r.attempts, r.code])).toEqual([
      ['send-email', letter.reason, 3, undefined],
      ['update-dashboard', letter.reason, 3, undefined],
    ]);
  });

  it('lists oldest last failure first, by handler, since and status, up to a limit', async () => {
    const late = makeReceivedDeadLetter({ lastFailedAt: '2026-01-03T00:00:00.000Z' });
    const early = makeReceivedDeadLetter({ lastFailedAt: '2026-01-01T00:00:00.000Z' });
    const other = makeReceivedDeadLetter({ handler: 'dash', lastFailedAt: '2026-01-02T00:00:00.000Z' });
    for (const letter of [late, early, other]) await port().put(letter);
    const ids = async (query?: Parameters<ReceivedDeadLetters['list']>[0]) =>
      (await port().list(query)).map((r) => r.messageId);
    expect(await ids()).toEqual([early.messageId, other.messageId, late.messageId]);
    expect(await ids({ handler: 'send-email' })).toEqual([early.messageId, late.messageId]);
    expect(await ids({ since: '2026-01-02T00:00:00.000Z' })).toEqual([other.messageId, late.messageId]);
    expect(await ids({ limit: 1 })).toEqual([early.messageId]);
    await port().requestRedrive([receivedDeadLetterIdOf('dash', other.messageId)]);
    expect(await ids({ status: 'redrive-requested' })).toEqual([other.messageId]);
    expect(await ids({ status: 'dead' })).toEqual([early.messageId, late.messageId]);
  });

  it('carries a redrive request through claim and mark, leaving other records alone', async () => {
    const a = makeReceivedDeadLetter();
    const b = makeReceivedDeadLetter();
    await port().put(a);
    await port().put(b);
    const idA = receivedDeadLetterIdOf(a.handler, a.messageId);
    expect(await port().claimRedrives(10)).toEqual([]);
    c.clock.advance(1_000);
    expect(await port().requestRedrive([idA, idA, 'unknown'])).toBe(1);
    expect(await port().requestRedrive([idA])).toBe(0);
    const claimed = await port().claimRedrives(10);
    expect(claimed.map((r) => [r.id, r.status, r.redriveRequestedAt])).toEqual([
      [idA, 'redrive-requested', new Date(c.clock.now()).toISOString()],
    ]);
    // Not leased: a failed republish leaves it claimable.
    expect((await port().claimRedrives(10)).map((r) => r.id)).toEqual([idA]);
    c.clock.advance(1_000);
    const idB = receivedDeadLetterIdOf(b.handler, b.messageId);
    expect(await port().markRedriven([idA, idB])).toBe(1);
    expect(await port().claimRedrives(10)).toEqual([]);
    const read = await port().get(idA);
    expect(read).toMatchObject({ status: 'redriven', redrivenAt: new Date(c.clock.now()).toISOString() });
    expect((await port().get(idB))?.status).toBe('dead');
    // A redriven record can be redriven again.
    expect(await port().requestRedrive([idA])).toBe(1);
    expect(await port().claimRedrives(0)).toEqual([]);
  });

  it('refuses bad input with the field and the reason, writing nothing', async () => {
    const bad = [
      [{ handler: '' }, /handler/],
      [{ attempts: -1 }, /attempts/],
      [{ lastFailedAt: 'yesterday' }, /lastFailedAt/],
      [{ headers: { n: 1 } as unknown as Record<string, string> }, /headers/],
      [{ body: 'text' as unknown as Uint8Array }, /body/],
    ] as const;
    for (const [extra, field] of bad) {
      const error = await port()
        .put(makeReceivedDeadLetter(extra))
        .catch((e: unknown) => e);
      expect(ConfigurationError.is(error), String(error)).toBe(true);
      expect(String((error as Error).message)).toMatch(field);
    }
    await expect(port().list({ since: 'soon' })).rejects.toThrow(/since/);
    expect(await port().list()).toEqual([]);
  });
}
