/** Contract scenarios: one batched `settle` carrying every kind of outcome of a round. */
import { expect, it } from 'vitest';
import { asDead, asDone, asReleased, asRetry, type ContractContext, LEASE_MS } from './context.ts';
import { makeEvent } from './fixture.ts';

export function settleScenarios<Tx>(c: ContractContext<Tx>): void {
  it('applies done, retry, dead and released outcomes of one round in one call', async () => {
    const events = ['cart-1', 'cart-2', 'cart-3', 'cart-4'].map((id) => makeEvent(id));
    await c.append(events);
    const [done, retried, dead, released] = await c.claim('r1');
    const retryAt = c.clock.now() + 1_000;
    await c.store.settle([
      asDone(done!),
      asRetry(retried!, 'broker down', retryAt),
      asDead(dead!, 'poison'),
      asReleased(released!),
    ]);
    const status = async (id: string) => (await c.store.deliveries(id))[0];
    expect(await status(done!.event.id)).toMatchObject({ status: 'done', attempts: 0 });
    expect(await status(retried!.event.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'broker down',
      nextAttemptAt: retryAt,
    });
    expect(await status(dead!.event.id)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'poison' });
    expect(await status(released!.event.id)).toMatchObject({ status: 'pending', attempts: 0 });
    // The released one is claimable at once, uncounted; the retried one only at retryAt.
    expect((await c.claim('r2')).map((d) => [d.event.id, d.attempt])).toEqual([[released!.event.id, 1]]);
    c.clock.advance(1_000);
    expect((await c.claim('r3')).map((d) => [d.event.id, d.attempt])).toEqual([[retried!.event.id, 2]]);
  });

  it('ignores failed and released outcomes from a relay that lost its lease, but not done', async () => {
    await c.append([makeEvent('cart-1'), makeEvent('cart-2'), makeEvent('cart-3')]);
    const stale = await c.claim('r1');
    c.clock.advance(LEASE_MS);
    const fresh = await c.claim('r2');
    expect(fresh).toHaveLength(3);
    await c.store.settle([
      asRetry(stale[0]!, 'stale', c.clock.now()),
      asDead(stale[1]!, 'stale'),
      asReleased(stale[2]!),
    ]);
    for (const d of stale) expect((await c.store.deliveries(d.event.id))[0]).toMatchObject({ attempts: 0 });
    expect(await c.claim('r3')).toEqual([]);
    // The work a stale relay did still happened: done counts from any owner.
    await c.store.settle([asDone(stale[0]!)]);
    expect((await c.store.deliveries(stale[0]!.event.id))[0]!.status).toBe('done');
    await c.store.settle([asDead(fresh[0]!, 'too late')]);
    expect((await c.store.deliveries(stale[0]!.event.id))[0]!.status).toBe('done');
  });

  it('is idempotent: repeating a settle changes nothing more', async () => {
    await c.append([makeEvent('cart-1'), makeEvent('cart-2'), makeEvent('cart-3')]);
    const [a, b, d] = await c.claim('r1');
    const round = [asDone(a!), asRetry(b!, 'once', c.clock.now() + 10), asDead(d!, 'once')];
    await c.store.settle(round);
    const before = await Promise.all([a, b, d].map((x) => c.store.deliveries(x!.event.id)));
    await c.store.settle(round);
    await c.store.settle([]);
    const after = await Promise.all([a, b, d].map((x) => c.store.deliveries(x!.event.id)));
    expect(after).toEqual(before);
    expect(after[1]![0]).toMatchObject({
      attempts: 1,
      history: [expect.objectContaining({ error: 'once' })],
    });
  });

  it('unparks the next event of a subject only when its head is done or dead', async () => {
    const [a1, a2, a3] = [makeEvent('cart-a'), makeEvent('cart-a'), makeEvent('cart-a')];
    await c.append([a1!, a2!, a3!]);
    const [head] = await c.claim('r1');
    await c.store.settle([asRetry(head!, 'later', c.clock.now())]);
    expect((await c.claim('r1')).map((d) => d.event.id)).toEqual([a1!.id]);
    expect(await c.claim('r1')).toEqual([]);
    c.clock.advance(LEASE_MS);
    const [retried] = await c.claim('r2');
    await c.store.settle([asDead(retried!, 'gave up')]);
    expect((await c.claim('r2')).map((d) => d.event.id)).toEqual([a2!.id]);
  });
}
