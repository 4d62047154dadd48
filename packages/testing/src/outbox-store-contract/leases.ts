/**
 * Contract scenarios: `extend`, how a relay keeps deliveries that wait or run longer than
 * the lease it claimed them with, without ever taking one back from another owner.
 */
import type { OutboxStore } from '@tidings/core';
import { expect, it } from 'vitest';
import { asDead, asDone, asReleased, asRetry, type ContractContext, LEASE_MS, ref } from './context.ts';
import { makeEvent } from './fixture.ts';

export function leaseScenarios<Tx>(c: ContractContext<Tx>): void {
  it('keeps a lease past its original end, so another owner claims nothing until the new end', async () => {
    const events = [makeEvent('cart-1'), makeEvent('cart-2')];
    await c.append(events);
    const held = (await c.claim('r1')).map(ref);
    const peer: OutboxStore<Tx> = await c.fixture.peer();
    c.clock.advance(LEASE_MS - 1);
    // The peer claims while the extension is under way; either order, it gets nothing.
    const [extended, taken] = await Promise.all([
      c.store.extend(held, LEASE_MS),
      c.claim('r2', ['c'], 100, peer),
    ]);
    expect(new Set(extended)).toEqual(new Set(held));
    expect(taken).toEqual([]);
    c.clock.advance(2);
    expect(await c.claim('r2', ['c'], 100, peer)).toEqual([]);
    c.clock.advance(LEASE_MS - 3);
    expect(await c.claim('r2', ['c'], 100, peer)).toEqual([]);
    c.clock.advance(1);
    // The extension counts no attempt: the reclaim is still the first try.
    const reclaimed = await c.claim('r2', ['c'], 100, peer);
    expect(reclaimed.map((d) => [d.event.id, d.owner, d.attempt])).toEqual(
      events.map((e) => [e.id, 'r2', 1]),
    );
  });

  it('refuses to extend a delivery another owner reclaimed after the lease ran out', async () => {
    await c.append([makeEvent('cart-1')]);
    const [stale] = await c.claim('r1');
    c.clock.advance(LEASE_MS);
    const [fresh] = await c.claim('r2');
    expect(fresh?.owner).toBe('r2');
    expect(await c.store.extend([ref(stale!)], LEASE_MS)).toEqual([]);
    // r2's lease is untouched: it ends when r2's claim said, not later and not sooner.
    c.clock.advance(LEASE_MS - 1);
    expect(await c.claim('r3')).toEqual([]);
    const own = ref(fresh!);
    expect(await c.store.extend([own], LEASE_MS)).toEqual([own]);
    c.clock.advance(1);
    expect(await c.claim('r3')).toEqual([]);
  });

  it('extends a lease that ran out while nobody claimed the delivery since', async () => {
    await c.append([makeEvent('cart-1')]);
    const [delivery] = await c.claim('r1');
    c.clock.advance(LEASE_MS + 5);
    const held = ref(delivery!);
    expect(await c.store.extend([held], LEASE_MS)).toEqual([held]);
    expect(await c.claim('r2')).toEqual([]);
  });

  it('leaves settled deliveries alone and extends only the refs still held', async () => {
    const events = ['cart-1', 'cart-2', 'cart-3', 'cart-4', 'cart-5'].map((id) => makeEvent(id));
    await c.append(events);
    const [done, retried, dead, released, kept] = await c.claim('r1');
    const retryAt = c.clock.now() + 1_000;
    await c.store.settle([
      asDone(done!),
      asRetry(retried!, 'broker down', retryAt),
      asDead(dead!, 'poison'),
      asReleased(released!),
    ]);
    const status = async () => Promise.all(events.map(async (e) => (await c.store.deliveries(e.id))[0]));
    const before = await status();
    const refs = [done!, retried!, dead!, released!, kept!].map(ref);
    const extended = await c.store.extend(refs, LEASE_MS * 10);
    // The same ref objects come back, so a relay can tell its own deliveries apart.
    expect(extended).toHaveLength(1);
    expect(extended[0]).toBe(refs[4]);
    expect(await status()).toEqual(before);
    // The released one is claimable at once and the retried one at retryAt: no lease came back.
    expect((await c.claim('r2')).map((d) => d.event.id)).toEqual([released!.event.id]);
    c.clock.advance(1_000);
    expect((await c.claim('r3')).map((d) => d.event.id)).toEqual([retried!.event.id]);
    expect(await c.store.extend([], LEASE_MS)).toEqual([]);
  });

  it('refuses a lease that is not a positive number of milliseconds, in claim and extend alike', async () => {
    await c.append([makeEvent('cart-1')]);
    const [held] = await c.claim('r1');
    for (const leaseMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const claim = c.store.claim({ consumers: ['c'], limit: 10, leaseMs, owner: 'r2' });
      await expect(claim).rejects.toMatchObject({
        code: 'TIDINGS_CONFIGURATION',
        message: expect.stringMatching(
          /^claim\(\) needs leaseMs to be a positive number of milliseconds; got /,
        ),
      });
      await expect(c.store.extend([ref(held!)], leaseMs)).rejects.toMatchObject({
        code: 'TIDINGS_CONFIGURATION',
        message: expect.stringMatching(
          /^extend\(\) needs leaseMs to be a positive number of milliseconds; got /,
        ),
      });
    }
    // Nothing was claimed or moved by the refused calls: r1 still holds it, for its own lease.
    c.clock.advance(LEASE_MS - 1);
    expect(await c.claim('r2')).toEqual([]);
    c.clock.advance(1);
    expect((await c.claim('r2')).map((d) => d.owner)).toEqual(['r2']);
  });
}
