import { describe, expect, it } from 'vitest';
import { createLaneBalancer, type LaneHooks } from './lane-balancer.ts';
import type { LeaseBucket } from './lease-bucket.ts';

/** The bucket's compare-and-set semantics in memory (no TTL: tests expire by hand). */
function memoryBucket() {
  const leases = new Map<string, { owner: string; revision: number }>();
  const members = new Map<string, Set<string>>();
  let sequence = 0;
  const bucket: LeaseBucket = {
    async heartbeat(scope, member) {
      members.set(scope, new Set([...(members.get(scope) ?? []), member]));
    },
    async members(scope) {
      return members.get(scope)?.size ?? 0;
    },
    async leave(scope, member) {
      members.get(scope)?.delete(member);
    },
    async acquire(scope, partition, member) {
      const key = `${scope}.${partition}`;
      if (leases.get(key)?.owner) return undefined;
      leases.set(key, { owner: member, revision: ++sequence });
      return sequence;
    },
    async renew(scope, partition, member, revision) {
      const key = `${scope}.${partition}`;
      if (leases.get(key)?.revision !== revision) return undefined;
      leases.set(key, { owner: member, revision: ++sequence });
      return sequence;
    },
    async release(scope, partition, revision) {
      const key = `${scope}.${partition}`;
      if (leases.get(key)?.revision === revision) leases.set(key, { owner: '', revision: ++sequence });
    },
  };
  return { bucket, leases, owners: (p: number) => leases.get(`s.${p}`)?.owner ?? '' };
}

function recordingHooks(held: Map<number, number> = new Map()) {
  const running = new Set<number>();
  const lost: number[] = [];
  const gates = new Map<number, () => void>();
  const hooks: LaneHooks = {
    async start(partition) {
      running.add(partition);
    },
    async stop(partition, wasLost) {
      running.delete(partition);
      if (wasLost) lost.push(partition);
      else if ((held.get(partition) ?? 0) > 0) await new Promise<void>((done) => gates.set(partition, done));
    },
    held: (partition) => held.get(partition) ?? 0,
    released: () => undefined,
  };
  return { hooks, running, lost, gates };
}

/** Lets the balancer's background releases run: bounded, no fixed sleep. */
async function settled(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 100 && !condition(); round++)
    await new Promise((resolve) => setTimeout(resolve, 1));
  expect(condition()).toBe(true);
}

const fail = (error: unknown) => {
  throw error;
};

describe('createLaneBalancer', () => {
  it('gives a lone member every lane, then its fair share once a second member joins', async () => {
    const { bucket, owners } = memoryBucket();
    const first = recordingHooks();
    const a = createLaneBalancer(bucket, 's', 8, 3000, first.hooks, fail);
    await a.tick();
    expect([...first.running].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const second = recordingHooks();
    const b = createLaneBalancer(bucket, 's', 8, 3000, second.hooks, fail);
    await b.tick(); // joins: nothing free yet
    await a.tick(); // sees two members: releases four
    await settled(() => a.owned === 4);
    await b.tick();
    expect([a.owned, b.owned]).toEqual([4, 4]);
    for (const p of first.running) expect(second.running.has(p)).toBe(false);
    expect(new Set(Array.from({ length: 8 }, (_, p) => owners(p))).size).toBe(2);
  });

  it('releases busy lanes last, and a lane only after its held messages were settled', async () => {
    const { bucket, owners } = memoryBucket();
    // Every lane but 2 is busy; the surplus of 7 must start with the idle one.
    const held = new Map(Array.from({ length: 8 }, (_, p) => [p, p === 2 ? 0 : 1] as const));
    const first = recordingHooks(held);
    const a = createLaneBalancer(bucket, 's', 8, 3000, first.hooks, fail);
    await a.tick();
    for (let n = 0; n < 7; n++) await bucket.heartbeat('s', `other-${n}`);
    await a.tick(); // 9 members: target 1, so 7 go, the idle lane 2 among them, busy lane 0 kept
    await settled(() => owners(2) === '');
    expect([...first.running]).toEqual([0]);
    // The busy ones stopped pulling but keep their leases until drained.
    expect([1, 3, 4, 5, 6, 7].map(owners).every((owner) => owner !== '')).toBe(true);
    first.gates.get(1)?.();
    await settled(() => owners(1) === '');
    expect(owners(3)).not.toBe('');
  });

  it('stops a lane at once as lost when its lease was taken meanwhile', async () => {
    const { bucket, leases } = memoryBucket();
    const first = recordingHooks();
    const a = createLaneBalancer(bucket, 's', 2, 3000, first.hooks, fail);
    await a.tick();
    leases.set('s.1', { owner: 'thief', revision: 999 });
    await a.tick();
    expect(first.lost).toEqual([1]);
    expect(a.owned).toBe(1);
  });

  it('renews its leases while a round is still taking another lane over', async () => {
    const { bucket } = memoryBucket();
    let renewals = 0;
    const renew = bucket.renew;
    bucket.renew = (...args) => {
      renewals += 1;
      return renew(...args);
    };
    // The second lane's start (a consumer reset on a loaded server) hangs until let go.
    let letGo: () => void = () => undefined;
    let starts = 0;
    const hooks: LaneHooks = {
      ...recordingHooks().hooks,
      async start() {
        starts += 1;
        if (starts === 2) await new Promise<void>((resolve) => (letGo = resolve));
      },
    };
    const a = createLaneBalancer(bucket, 's', 2, 3000, hooks, fail);
    const first = a.tick();
    await settled(() => starts === 2);
    const before = renewals;
    const second = a.tick();
    expect(renewals).toBeGreaterThan(before);
    letGo();
    await Promise.all([first, second]);
  });

  it('drops a lease by its own clock once its renewal went unanswered for 0.8 TTL, and gives it back if the answer comes later', async () => {
    const { bucket } = memoryBucket();
    let clock = 0;
    const released: number[] = [];
    const release = bucket.release;
    bucket.release = (scope, partition, revision) => {
      released.push(revision);
      return release(scope, partition, revision);
    };
    let answer: () => void = () => undefined;
    const renew = bucket.renew;
    bucket.renew = (...args) =>
      new Promise((resolve) => {
        answer = () => resolve(renew(...args));
      });
    const { hooks, lost, running } = recordingHooks();
    const a = createLaneBalancer(bucket, 's', 1, 3000, hooks, fail, () => clock);
    await a.tick();
    expect([...running]).toEqual([0]);
    void a.tick(); // the renewal is sent, and never answered in time
    clock = 2_400;
    void a.tick();
    expect(lost).toEqual([]);
    clock = 2_401;
    void a.tick();
    expect(lost).toEqual([0]);
    expect(a.owned).toBe(0);
    // The renewal succeeds after all: the lease is released, not kept idle until the TTL.
    answer();
    await settled(() => released.length === 1);
    expect(released[0]).toBeGreaterThan(1); // the renewed revision, not the acquired one
  });
});
