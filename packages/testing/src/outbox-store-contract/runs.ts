/**
 * Contract scenarios: runs, the consecutive pending deliveries of one subject that a run
 * consumer (a transport route) claims at once, and per-subject order under several relays
 * and redelivery.
 */
import type { OutboxStore } from '@tidings/core';
import type { Delivery, DeliveryOutcome } from '@tidings/core/spi';
import { expect, it } from 'vitest';
import { asDone, asRetry, type ContractContext, LEASE_MS } from './context.ts';
import { makeEvent } from './fixture.ts';

export function runScenarios<Tx>(c: ContractContext<Tx>): void {
  const claimRuns = (owner: string, limit = 100, store: OutboxStore<Tx> = c.store) =>
    store.claim({ consumers: ['c', 'h'], runs: ['c'], limit, leaseMs: LEASE_MS, owner });

  it('leases a run of one subject to a run consumer, heads only to the others', async (test) => {
    if (!c.fixture.claimsRuns) test.skip();
    const [a1, a2, a3] = [makeEvent('cart-a'), makeEvent('cart-a'), makeEvent('cart-a')];
    const b1 = makeEvent('cart-b');
    await c.append([a1!, b1, a2!, a3!], ['c', 'h']);
    const claimed = await claimRuns('r1');
    const ids = (consumer: string) => claimed.filter((d) => d.consumer === consumer).map((d) => d.event.id);
    expect(ids('c')).toEqual([a1!.id, b1.id, a2!.id, a3!.id]);
    expect(ids('h')).toEqual([a1!.id, b1.id]);
    expect(await claimRuns('r2')).toEqual([]);
  });

  it('ends a run at the first delivery not due, and within the limit as a prefix', async (test) => {
    if (!c.fixture.claimsRuns) test.skip();
    const events = Array.from({ length: 5 }, () => makeEvent('cart-a'));
    await c.append(events);
    const first = await claimRuns('r1', 2);
    expect(first.map((d) => d.event.id)).toEqual(events.slice(0, 2).map((e) => e.id));
    // Nothing of that subject moves while its run is leased.
    expect(await claimRuns('r2')).toEqual([]);
    const retryAt = c.clock.now() + 1_000;
    await c.store.settle([asDone(first[0]!), asRetry(first[1]!, 'broker down', retryAt)]);
    expect(await claimRuns('r2')).toEqual([]);
    c.clock.advance(1_000);
    const second = await claimRuns('r2');
    expect(second.map((d) => [d.event.id, d.attempt])).toEqual(
      events.slice(1).map((e, i) => [e.id, i === 0 ? 2 : 1]),
    );
  });

  it('keeps per-subject order across several relays claiming runs, with redelivery', async () => {
    const subjects = ['s-0', 's-1', 's-2', 's-3'];
    const events = Array.from({ length: 80 }, (_, i) =>
      makeEvent(subjects[i % 3 === 0 ? 0 : i % subjects.length]),
    );
    await c.append(events, ['c']);
    const peer = await c.fixture.peer();
    const expected = new Map<string, string[]>();
    for (const e of events) expected.set(e.subject!.id, [...(expected.get(e.subject!.id) ?? []), e.id]);
    const doneOrder = new Map<string, string[]>();
    let tick = 0;
    const relay = async (owner: string, store: OutboxStore<Tx>) => {
      for (let idle = 0; idle < 3; ) {
        const batch = await store.claim({
          consumers: ['c'],
          runs: ['c'],
          limit: 6,
          leaseMs: LEASE_MS,
          owner,
        });
        if (batch.length === 0) {
          idle += 1;
          continue;
        }
        idle = 0;
        const outcomes: DeliveryOutcome[] = [];
        const failedSubjects = new Set<string>();
        for (const d of batch as Delivery[]) {
          const subject = d.event.subject!.id;
          // Every fifth delivery fails (a rejected publish); its followers in the run follow it back.
          if (failedSubjects.has(subject) || ++tick % 5 === 0) {
            failedSubjects.add(subject);
            outcomes.push(asRetry(d, 'redeliver', c.clock.now()));
          } else {
            doneOrder.set(subject, [...(doneOrder.get(subject) ?? []), d.event.id]);
            outcomes.push(asDone(d));
          }
        }
        await store.settle(outcomes);
      }
    };
    await Promise.all([relay('r1', c.store), relay('r2', peer), relay('r3', c.store), relay('r4', peer)]);
    expect(Object.fromEntries(doneOrder)).toEqual(Object.fromEntries(expected));
  });
}
