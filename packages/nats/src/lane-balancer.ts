/**
 * Shares one topic's ordered lanes among the live members of a group, each lane owned by
 * one member at a time through a lease (see lease-bucket.ts). On every tick a member
 * refreshes its heartbeat, renews its leases, counts the members and moves towards its fair
 * share, `ceil(lanes / members)`: it releases its surplus (idle lanes first, each only once
 * its held messages are settled) and acquires free lanes while below it. A lease it could
 * not renew in time is treated as lost at once, so two members never both work one lane
 * knowingly.
 *
 * Renewals do not queue behind the rebalancing: taking a lane over costs a few JetStream API
 * calls (its consumer may be reset), and a round that takes several lanes on a loaded server
 * can outlast the TTL. So every tick renews on its own, and a lease whose last renewal was
 * sent more than 0.8 TTL ago is dropped by this member's own clock even while a renewal is
 * still unanswered: the bucket may have expired it already and given the lane to another
 * member, which must not find this one still pulling.
 */
import { randomBytes } from 'node:crypto';
import type { LeaseBucket } from './lease-bucket.ts';

export interface LaneHooks {
  /** The lane is ours: make its consumer safe to resume and start pulling. */
  start(partition: number): Promise<void>;
  /**
   * Stop pulling the lane. `lost`: the lease is gone, drop what is held; otherwise resolve
   * once every held message of the lane was settled (acked), so the lease can be released.
   */
  stop(partition: number, lost: boolean): Promise<void>;
  /** Messages of the lane held now (0 = idle, released first). */
  held(partition: number): number;
  /** The lane was released: tell the other members, who may be waiting for it. */
  released(partition: number): void;
}

interface Lease {
  revision: number;
  renewedAt: number;
  /** The renewal in flight: a release waits for it, or it would write over a stale revision. */
  renewing: Promise<void>;
}

export interface LaneBalancer {
  /** One round of heartbeat, renewals and rebalancing; never rejects (errors go to `onError`). */
  tick(): Promise<void>;
  /** Lanes owned now and the fair share at the last count. */
  readonly owned: number;
  readonly target: number;
  /** Stops every lane after draining it, releases the leases and the heartbeat. */
  close(): Promise<void>;
}

export function createLaneBalancer(
  bucket: LeaseBucket,
  scope: string,
  partitions: number,
  ttlMs: number,
  hooks: LaneHooks,
  onError: (error: unknown) => void,
  now: () => number = Date.now,
): LaneBalancer {
  const member = randomBytes(8).toString('hex');
  const leases = new Map<number, Lease>();
  const releasing = new Map<number, Promise<void>>();
  // Where this member starts looking for free lanes: spread so members do not all race for lane 0.
  const offset = Number.parseInt(member.slice(0, 6), 16) % partitions;
  let target = partitions;
  let closed = false;
  let running: Promise<void> | undefined;
  let renewals: Promise<void> | undefined;
  let again = false;
  // Past this age (since the renewal that last succeeded was sent) a lease is not relied on.
  const trustMs = ttlMs * 0.8;

  const lose = (partition: number): void => {
    leases.delete(partition);
    void hooks.stop(partition, true).catch(onError);
  };

  const release = (partition: number): Promise<void> => {
    const pending = releasing.get(partition);
    if (pending) return pending;
    const releasingNow = (async () => {
      try {
        await hooks.stop(partition, false);
        const lease = leases.get(partition);
        leases.delete(partition);
        if (!lease) return;
        await lease.renewing;
        await bucket.release(scope, partition, lease.revision);
        hooks.released(partition);
      } finally {
        releasing.delete(partition);
      }
    })();
    releasing.set(partition, releasingNow);
    return releasingNow;
  };

  const renewAll = async (): Promise<void> => {
    await Promise.all(
      [...leases].map(([partition, lease]) => {
        lease.renewing = (async () => {
          const sentAt = now();
          try {
            const revision = await bucket.renew(scope, partition, member, lease.revision);
            if (leases.get(partition) !== lease) {
              // Dropped by its age meanwhile, so its lane stopped: give the renewed lease back
              // rather than hold an idle lane until the TTL (nobody else wrote since, or the
              // compare-and-set would have failed).
              if (revision !== undefined) {
                await bucket.release(scope, partition, revision);
                hooks.released(partition);
              }
              return;
            }
            if (revision === undefined) return lose(partition);
            lease.revision = revision;
            // The server's TTL runs from when it stored the write, after we sent it.
            lease.renewedAt = sentAt;
          } catch (error) {
            onError(error);
          }
        })();
        return lease.renewing;
      }),
    );
  };

  /** Leases held and not being released. */
  const ownedNow = (): number => {
    let owned = 0;
    for (const partition of leases.keys()) if (!releasing.has(partition)) owned++;
    return owned;
  };

  /** Drops every lease too old to rely on, whatever is in flight (see the top of the file). */
  const dropStale = (): void => {
    const at = now();
    for (const [partition, lease] of leases) if (at - lease.renewedAt > trustMs) lose(partition);
  };

  const renewSoon = (): Promise<void> => {
    renewals ??= renewAll().finally(() => {
      renewals = undefined;
    });
    return renewals;
  };

  const rebalance = async (): Promise<void> => {
    target = Math.ceil(partitions / Math.max(1, await bucket.members(scope)));
    const keep = ownedNow();
    if (keep > target) {
      const surplus = [...leases.keys()]
        .filter((partition) => !releasing.has(partition))
        .sort((a, b) => hooks.held(a) - hooks.held(b) || b - a)
        .slice(0, keep - target);
      for (const partition of surplus) void release(partition).catch(onError);
      return;
    }
    for (let i = 0; i < partitions && ownedNow() < target && !closed; i++) {
      const partition = (offset + i) % partitions;
      if (leases.has(partition) || releasing.has(partition)) continue;
      const sentAt = now();
      const revision = await bucket.acquire(scope, partition, member);
      if (revision === undefined) continue;
      leases.set(partition, { revision, renewedAt: sentAt, renewing: Promise.resolve() });
      try {
        await hooks.start(partition);
      } catch (error) {
        onError(error);
        await release(partition).catch(onError);
      }
    }
  };

  const round = async (): Promise<void> => {
    try {
      await bucket.heartbeat(scope, member);
      if (!closed) await rebalance();
    } catch (error) {
      onError(error);
    }
  };

  return {
    tick() {
      dropStale();
      // Renewals at most one set at a time (a slow broker must not stack them), beside the round.
      const renewed = renewSoon();
      // One round at a time; a tick asked for during a round runs once more after it, so a
      // nudge is never lost.
      if (running) {
        again = true;
        return Promise.all([renewed, running]).then(() => undefined);
      }
      running = (async () => {
        do {
          again = false;
          await round();
        } while (again && !closed);
        running = undefined;
      })();
      return Promise.all([renewed, running]).then(() => undefined);
    },
    get owned() {
      return ownedNow();
    },
    get target() {
      return target;
    },
    async close() {
      closed = true;
      await running;
      await renewals;
      await Promise.all([...leases.keys()].map((partition) => release(partition).catch(onError)));
      await bucket.leave(scope, member).catch(onError);
    },
  };
}
