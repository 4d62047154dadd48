/** Contract scenarios: failed attempts, backoff, dead letters, redrive, release. */
import { expect, it } from 'vitest';
import { asDead, asDone, asReleased, asRetry, type ContractContext, LEASE_MS } from './context.ts';
import { makeEvent } from './fixture.ts';

export function failureScenarios<Tx>(c: ContractContext<Tx>): void {
  it('schedules the next try at retryAt and parks only the later events of that subject', async () => {
    const [a1, a2] = [makeEvent('cart-a'), makeEvent('cart-a')];
    const b1 = makeEvent('cart-b');
    await c.append([a1!, a2!, b1]);
    const first = await c.claim('r1');
    await c.store.settle(first.filter((d) => d.event.id === b1.id).map(asDone));
    const failing = first.find((d) => d.event.id === a1!.id)!;
    await c.store.settle([asRetry(failing, 'boom 1', c.clock.now() + 500)]);
    const b2 = makeEvent('cart-b');
    await c.append([b2]);
    expect((await c.claim('r1')).map((d) => d.event.id)).toEqual([b2.id]);
    c.clock.advance(499);
    expect(await c.claim('r2')).toEqual([]);
    c.clock.advance(1);
    const retried = await c.claim('r2');
    expect(retried.map((d) => [d.event.id, d.attempt])).toEqual([[a1!.id, 2]]);
    const [info] = await c.store.deliveries(a1!.id);
    expect(info).toMatchObject({ status: 'pending', attempts: 1, lastError: 'boom 1' });
    expect(info!.history).toEqual([{ attempt: 1, at: expect.any(String), error: 'boom 1' }]);
  });

  it('dead-letters with the attempt history, unblocks the subject, and redrives on demand', async () => {
    const [a1, a2] = [makeEvent('cart-a'), makeEvent('cart-a')];
    await c.append([a1!, a2!]);
    let [delivery] = await c.claim('r1');
    await c.store.settle([asRetry(delivery!, 'first', c.clock.now())]);
    [delivery] = await c.claim('r1');
    expect(delivery!.attempt).toBe(2);
    await c.store.settle([asDead(delivery!, 'poison: cannot parse')]);
    const dead = await c.store.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({
      eventId: a1!.id,
      consumer: 'c',
      status: 'dead',
      attempts: 2,
      lastError: 'poison: cannot parse',
    });
    expect(dead[0]!.event).toEqual(a1);
    expect(dead[0]!.history.map((h) => h.error)).toEqual(['first', 'poison: cannot parse']);
    const next = await c.claim('r1');
    expect(next.map((d) => d.event.id)).toEqual([a2!.id]);
    await c.store.settle(next.map(asDone));
    expect(await c.store.redrive([{ eventId: a1!.id, consumer: 'c' }])).toBe(1);
    expect(await c.store.deadLetters()).toEqual([]);
    const redriven = await c.claim('r1');
    expect(redriven.map((d) => [d.event.id, d.attempt])).toEqual([[a1!.id, 3]]);
    expect((await c.store.deliveries(a1!.id))[0]!.history).toHaveLength(2);
    expect(await c.store.redrive([{ eventId: a1!.id, consumer: 'c' }])).toBe(0);
  });

  it('ignores a failure reported by a relay whose lease was taken over', async () => {
    await c.append([makeEvent('cart-1')]);
    const [stale] = await c.claim('r1');
    c.clock.advance(LEASE_MS);
    const [fresh] = await c.claim('r2');
    await c.store.settle([asDead(stale!, 'stale relay')]);
    expect(await c.store.deadLetters()).toEqual([]);
    await c.store.settle([asRetry(fresh!, 'real failure', c.clock.now() + 1)]);
    expect((await c.store.deliveries(fresh!.event.id))[0]).toMatchObject({
      attempts: 1,
      lastError: 'real failure',
    });
  });

  it('release gives a lease back without counting an attempt', async () => {
    await c.append([makeEvent('cart-1')]);
    const [delivery] = await c.claim('r1');
    await c.store.settle([{ ...asReleased(delivery!), owner: 'not-the-owner' }]);
    expect(await c.claim('r2')).toEqual([]);
    await c.store.settle([asReleased(delivery!)]);
    const [again] = await c.claim('r2');
    expect(again!.attempt).toBe(1);
    expect((await c.store.deliveries(again!.event.id))[0]!.attempts).toBe(0);
  });
}
