/** Contract scenarios: the audit log's queries, statistics and retention. */
import { expect, it } from 'vitest';
import { asDead, asDone, asRetry, type ContractContext } from './context.ts';
import { makeEvent } from './fixture.ts';

export function auditScenarios<Tx>(c: ContractContext<Tx>): void {
  it('queries by subject, type, correlation, causation, time range, cursor and order', async () => {
    const root = makeEvent('cart-1', { occurredAt: '2026-01-01T10:00:00.000Z' });
    const child = makeEvent('cart-2', {
      type: 'removed',
      causedBy: root,
      occurredAt: '2026-01-01T11:00:00.000Z',
    });
    const grandchild = makeEvent('cart-1', { causedBy: child, occurredAt: '2026-01-01T12:00:00.000Z' });
    const other = makeEvent(undefined, { occurredAt: '2026-01-02T00:00:00.000Z' });
    await c.append([root, child, grandchild, other]);
    const ids = async (query: Parameters<typeof c.store.events>[0]) =>
      (await c.store.events(query)).map((s) => s.event.id);

    expect(await ids({ subject: { type: 'Cart', id: 'cart-1' } })).toEqual([root.id, grandchild.id]);
    expect(await ids({ types: ['contract.ItemRemoved'] })).toEqual([child.id]);
    expect(await ids({ correlationId: root.id })).toEqual([root.id, child.id, grandchild.id]);
    expect(await ids({ causationId: child.id })).toEqual([grandchild.id]);
    expect(await ids({ from: '2026-01-01T11:00:00.000Z', to: '2026-01-02T00:00:00.000Z' })).toEqual([
      child.id,
      grandchild.id,
    ]);
    const all = await c.store.events();
    expect(await ids({ afterPosition: all[1]!.position })).toEqual([grandchild.id, other.id]);
    expect(await ids({ limit: 2, order: 'desc' })).toEqual([other.id, grandchild.id]);
    expect(
      await ids({ subject: { type: 'Cart', id: 'cart-1' }, types: ['contract.ItemAdded'], limit: 1 }),
    ).toEqual([root.id]);
    expect(await c.store.event(child.id)).toEqual({ position: all[1]!.position, event: child });
    expect(await c.store.event('00000000-0000-7000-8000-000000000000')).toBeUndefined();
  });

  it('reports per-consumer backlog with the age of the oldest pending delivery', async () => {
    const start = c.clock.now();
    await c.append([makeEvent('cart-1'), makeEvent('cart-2')], ['email', 'dashboard']);
    c.clock.advance(1_500);
    await c.append([makeEvent('cart-3')], ['email']);
    const batch = await c.claim('r1', ['dashboard']);
    await c.store.settle(batch.slice(0, 1).map(asDone));
    await c.store.settle([asDead(batch[1]!, 'x')]);
    const [email] = await c.claim('r1', ['email'], 1);
    await c.store.settle([asRetry(email!, 'later', c.clock.now() + 60_000)]);
    c.clock.advance(500);
    const stats = await c.store.stats();
    expect(stats.map(({ retrying: _, ...counts }) => counts)).toEqual([
      { consumer: 'dashboard', pending: 0, done: 1, dead: 1, oldestPendingAgeMs: 0 },
      { consumer: 'email', pending: 3, done: 0, dead: 0, oldestPendingAgeMs: c.clock.now() - start },
    ]);
    // Optional in the port; a store that reports it counts pending deliveries that failed before.
    for (const s of stats)
      if (s.retrying !== undefined) expect(s.retrying).toBe(s.consumer === 'email' ? 1 : 0);
  });

  it('prunes only events recorded before the cut-off whose deliveries are all done', async () => {
    const done = makeEvent('cart-1');
    const dead = makeEvent('cart-2');
    const pending = makeEvent('cart-3');
    const auditOnly = makeEvent('cart-4');
    await c.append([done, dead, pending]);
    await c.append([auditOnly], []);
    const batch = await c.claim('r1', ['c'], 2);
    await c.store.settle([asDone(batch[0]!)]);
    await c.store.settle([asDead(batch[1]!, 'dead')]);
    c.clock.advance(1_000);
    const fresh = makeEvent('cart-5');
    await c.append([fresh]);
    await c.store.settle((await c.claim('r1', ['c'])).filter((d) => d.event.id === fresh.id).map(asDone));

    expect(await c.store.prune(c.clock.now())).toBe(2);
    const left = (await c.store.events()).map((s) => s.event.id);
    expect(left).toEqual([dead.id, pending.id, fresh.id]);
    expect(await c.store.deliveries(done.id)).toEqual([]);
    expect(await c.store.prune(c.clock.now() + 1)).toBe(1);
  });
}
