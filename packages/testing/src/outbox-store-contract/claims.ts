/** Contract scenarios: leases, concurrent relays, per-subject order. */
import { expect, it } from 'vitest';
import { asDone, asRetry, type ContractContext, LEASE_MS } from './context.ts';
import { makeEvent } from './fixture.ts';

export function claimScenarios<Tx>(c: ContractContext<Tx>): void {
  it('leases a delivery to one owner until the lease expires, then others may reclaim it', async () => {
    const event = makeEvent('cart-1');
    await c.append([event]);
    expect((await c.claim('r1')).map((d) => d.event.id)).toEqual([event.id]);
    expect(await c.claim('r2')).toEqual([]);
    c.clock.advance(LEASE_MS - 1);
    expect(await c.claim('r2')).toEqual([]);
    c.clock.advance(1);
    const reclaimed = await c.claim('r2');
    expect(reclaimed.map((d) => [d.event.id, d.owner, d.attempt])).toEqual([[event.id, 'r2', 1]]);
  });

  it('respects the claim limit and returns deliveries in position order', async () => {
    const events = Array.from({ length: 10 }, (_, i) => makeEvent(`cart-${i}`));
    await c.append(events);
    const first = await c.claim('r1', ['c'], 4);
    expect(first.map((d) => d.event.id)).toEqual(events.slice(0, 4).map((e) => e.id));
    const second = await c.claim('r2', ['c'], 100);
    expect(second.map((d) => d.event.id)).toEqual(events.slice(4).map((e) => e.id));
  });

  it('never hands one delivery to two relays claiming concurrently', async () => {
    const events = Array.from({ length: 120 }, (_, i) => makeEvent(`cart-${i}`));
    await c.append(events);
    const peer = await c.fixture.peer();
    const seen: string[] = [];
    const relay = async (owner: string, store: typeof peer) => {
      for (;;) {
        const batch = await c.claim(owner, ['c'], 7, store);
        if (batch.length === 0) return;
        seen.push(...batch.map((d) => d.event.id));
        await store.settle(batch.map(asDone));
      }
    };
    await Promise.all([relay('r1', c.store), relay('r2', peer), relay('r3', c.store), relay('r4', peer)]);
    expect(seen).toHaveLength(events.length);
    expect(new Set(seen).size).toBe(events.length);
  });

  it('hands out the events of one subject one at a time, in order, per consumer', async () => {
    const [a1, a2, a3] = [makeEvent('cart-a'), makeEvent('cart-a'), makeEvent('cart-a')];
    const b1 = makeEvent('cart-b');
    const loose = makeEvent(undefined);
    const loose2 = makeEvent(undefined);
    await c.append([a1!, a2!, b1, a3!, loose, loose2]);
    const first = await c.claim('r1');
    expect(first.map((d) => d.event.id)).toEqual([a1!.id, b1.id, loose.id, loose2.id]);
    expect(await c.claim('r2')).toEqual([]);
    await c.store.settle(first.map(asDone));
    expect((await c.claim('r2')).map((d) => d.event.id)).toEqual([a2!.id]);
    expect(await c.claim('r3')).toEqual([]);
  });

  it('keeps each consumer independent: one consumer failing does not hold back another', async () => {
    const event = makeEvent('cart-1');
    const next = makeEvent('cart-1');
    await c.append([event, next], ['email', 'dashboard']);
    const forEmail = await c.claim('r1', ['email']);
    expect(forEmail.map((d) => [d.consumer, d.event.id])).toEqual([['email', event.id]]);
    await c.store.settle([asRetry(forEmail[0]!, 'smtp down', c.clock.now() + 60_000)]);
    const forDashboard = await c.claim('r1', ['dashboard']);
    expect(forDashboard.map((d) => d.event.id)).toEqual([event.id]);
    await c.store.settle(forDashboard.map(asDone));
    expect((await c.claim('r1', ['dashboard'])).map((d) => d.event.id)).toEqual([next.id]);
    expect(await c.claim('r1', ['email'])).toEqual([]);
  });

  it('completes idempotently, from any owner', async () => {
    await c.append([makeEvent('cart-1')]);
    const [delivery] = await c.claim('r1');
    await c.store.settle([asDone(delivery!)]);
    await c.store.settle([{ ...asDone(delivery!), owner: 'someone-else' }]);
    expect(await c.store.deliveries(delivery!.event.id)).toMatchObject([{ status: 'done', attempts: 0 }]);
    c.clock.advance(LEASE_MS * 2);
    expect(await c.claim('r2')).toEqual([]);
  });
}
