/** Contract scenarios: appending inside transactions, the inbox, wake-ups. */
import { expect, it } from 'vitest';
import type { ContractContext } from './context.ts';
import { makeEvent } from './fixture.ts';

export function transactionScenarios<Tx>(c: ContractContext<Tx>): void {
  it('append inside a transaction that rolls back leaves nothing', async () => {
    const event = makeEvent('cart-1');
    await expect(
      c.store.transaction(async (tx) => {
        await c.store.append(tx, [{ event, consumers: ['c'] }]);
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    expect(await c.store.events()).toEqual([]);
    expect(await c.claim('r1')).toEqual([]);
  });

  it('keeps an appended event intact, positions increasing in the order given', async () => {
    const first = makeEvent('cart-1', {
      payload: { text: 'Grüße 🎉', nested: { list: [1, 'two', null, true] } },
    });
    const second = makeEvent(undefined, { causedBy: first });
    const third = makeEvent('cart-2');
    await c.append([first, second, third]);
    const stored = await c.store.events();
    expect(stored.map((s) => s.event)).toEqual([first, second, third]);
    expect(stored[0]!.position).toBeLessThan(stored[1]!.position);
    expect(stored[1]!.position).toBeLessThan(stored[2]!.position);
    expect(Object.isFrozen(stored[0]!.event)).toBe(true);
    expect(Object.isFrozen(stored[0]!.event.payload)).toBe(true);
    const claimed = await c.claim('r1');
    expect(claimed.map((d) => d.event)).toEqual([first, second, third]);
    expect(claimed.every((d) => d.attempt === 1 && d.owner === 'r1' && d.consumer === 'c')).toBe(true);
  });

  it('rejects appending the same event id twice', async () => {
    const event = makeEvent('cart-1');
    await c.append([event]);
    await expect(c.append([event])).rejects.toThrow();
    expect(await c.store.events()).toHaveLength(1);
  });

  it('audits an event owed to no consumer without creating deliveries', async () => {
    const event = makeEvent('cart-1');
    await c.append([event], []);
    expect(await c.store.event(event.id)).toMatchObject({ event });
    expect(await c.store.deliveries(event.id)).toEqual([]);
    expect(await c.claim('r1')).toEqual([]);
  });

  it('inbox: records (handler, event) once, and only when the transaction commits', async () => {
    const event = makeEvent('cart-1');
    await expect(
      c.store.transaction(async (tx) => {
        expect(await c.store.markProcessed(tx, 'send-email', event.id)).toBe(true);
        throw new Error('handler write failed');
      }),
    ).rejects.toThrow('handler write failed');
    expect(await c.store.transaction((tx) => c.store.markProcessed(tx, 'send-email', event.id))).toBe(true);
    expect(await c.store.transaction((tx) => c.store.markProcessed(tx, 'send-email', event.id))).toBe(false);
    expect(await c.store.transaction((tx) => c.store.markProcessed(tx, 'update-dashboard', event.id))).toBe(
      true,
    );
  });

  it('inbox: pruneInbox deletes the records made before the cut-off, and only those', async ({ skip }) => {
    const prune = c.store.pruneInbox?.bind(c.store);
    if (!prune) return skip('the store has no pruneInbox (inbox retention)');
    const mark = (handler: string, eventId: string) =>
      c.store.transaction((tx) => c.store.markProcessed(tx, handler, eventId));
    const [old, young] = [makeEvent('cart-1'), makeEvent('cart-2')];
    await mark('send-email', old.id);
    await mark('update-dashboard', old.id);
    c.clock.advance(1_000);
    const cutOff = c.clock.now();
    await mark('send-email', young.id);
    expect(await prune(cutOff)).toBe(2);
    // Pruned records are gone (recorded anew); the younger one still stops a duplicate.
    expect(await mark('send-email', old.id)).toBe(true);
    expect(await mark('send-email', young.id)).toBe(false);
    expect(await prune(cutOff)).toBe(0);
    expect(await prune(cutOff + 1)).toBe(2);
  });

  it('wakes onAppend listeners after a commit, not after a rollback', async () => {
    if (!c.store.onAppend) return;
    let calls = 0;
    let woke!: () => void;
    const wake = new Promise<void>((resolve) => {
      woke = resolve;
    });
    const stop = c.store.onAppend(() => {
      calls += 1;
      woke();
    });
    await c.store
      .transaction(async (tx) => {
        await c.store.append(tx, [{ event: makeEvent('cart-1'), consumers: ['c'] }]);
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    expect(calls).toBe(0);
    await c.append([makeEvent('cart-1')]);
    await wake;
    expect(calls).toBeGreaterThanOrEqual(1);
    stop();
  });
}
