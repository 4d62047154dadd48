/**
 * Which lanes (partition streams) of its topics a member of a group holds. Every third of a
 * lease it runs the `balance` script per topic: heartbeat, renewal, and acquisition of free
 * lanes up to its fair share. A lane acquired is taken over (its pending entries queued in
 * id order) before it is read; a lane above the share, or lost, is left: no more reads, its
 * retry waits cut short, its queued entries skipped, and once its handlers finished the
 * lease is released (compare-and-delete). One timer per subscription.
 */
import { pause } from '@tidings/core/spi';
import type { Redis } from 'ioredis';
import { type Lane, leaseKey, membersKey } from './lanes.ts';
import { balanceArgs, leaveMembers, releaseLease, toBalance } from './lease-script.ts';
import type { GroupMember } from './pending.ts';

export interface LaneState {
  readonly lane: Lane;
  /** `claiming`: its pending entries are being taken over; `ready`: read; `leaving`: draining. */
  status: 'claiming' | 'ready' | 'leaving';
  /** Until when (this process's monotonic clock) the lease is surely still ours. */
  validUntil: number;
  /** Deliveries of this lane queued or running. */
  inFlight: number;
  /** Aborted when the lane is left or the member closes: cuts retry waits short. */
  readonly stop: AbortController;
  /** Set while leaving: called when `inFlight` drops to 0. */
  drained: (() => void) | undefined;
}

export interface OwnershipContext {
  readonly member: GroupMember;
  readonly prefix: string;
  readonly lanesByTopic: ReadonlyMap<string, readonly Lane[]>;
  readonly leaseMs: number;
  readonly onError: (error: unknown) => void;
  /** Queues the pending entries of a lane just acquired; resolves when they are queued. */
  takeOver(state: LaneState): Promise<void>;
  /** Claims entries a stalled former holder read after losing the lane. */
  sweep(state: LaneState): Promise<void>;
  /** The set of readable lanes changed: wake the blocked read. */
  changed(): void;
  /** Resolves when no read that included `stream` is still running. */
  readSettled(stream: string): Promise<void>;
}

export interface Ownership {
  /** First heartbeat, then until this member holds its fair share (at most one lease time). */
  start(): Promise<void>;
  get(stream: string): LaneState | undefined;
  /** Lanes to read now: ready, and surely still held `horizonMs` from now. */
  readable(horizonMs: number): LaneState[];
  /** Stops heartbeats; every lane is left (callers have drained the handlers). */
  stop(): Promise<void>;
}

export function createOwnership(ctx: OwnershipContext): Ownership {
  const { member, leaseMs } = ctx;
  const redis: Redis = member.redis;
  const states = new Map<string, LaneState>();
  const leaving = new Set<Promise<void>>();
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;

  const leave = (state: LaneState): void => {
    if (state.status === 'leaving') return;
    state.status = 'leaving';
    state.stop.abort();
    ctx.changed();
    const done = (async () => {
      try {
        await ctx.readSettled(state.lane.stream);
        if (state.inFlight > 0) await new Promise<void>((resolve) => (state.drained = resolve));
        await releaseLease(redis, leaseKey(state.lane.stream, member.group), member.consumer);
      } catch (error) {
        // Unreleased, the lease runs out by itself within leaseMs.
        if (redis.status !== 'end') ctx.onError(error);
      } finally {
        states.delete(state.lane.stream);
      }
    })();
    leaving.add(done);
    void done.finally(() => leaving.delete(done));
  };

  const acquired = (lane: Lane, validUntil: number): void => {
    const state: LaneState = {
      lane,
      status: 'claiming',
      validUntil,
      inFlight: 0,
      stop: new AbortController(),
      drained: undefined,
    };
    states.set(lane.stream, state);
    ctx.takeOver(state).then(
      () => {
        if (state.status !== 'claiming') return;
        state.status = 'ready';
        ctx.changed();
      },
      (error: unknown) => {
        ctx.onError(error);
        leave(state);
      },
    );
  };

  /** One heartbeat for every topic; true when this member holds its fair share of each. */
  const beat = async (): Promise<boolean> => {
    const sentAt = performance.now();
    const topics = [...ctx.lanesByTopic];
    const pipeline = redis.pipeline();
    for (const [topic, lanes] of topics) {
      const leaseKeys = lanes.map((lane) => leaseKey(lane.stream, member.group));
      const members = membersKey(ctx.prefix, topic, member.group);
      pipeline.call(
        'EVAL',
        ...balanceArgs(members, leaseKeys, member.consumer, leaseMs, !stopping.signal.aborted),
      );
    }
    const results = (await pipeline.exec()) ?? [];
    let fair = true;
    for (const [i, [, lanes]] of topics.entries()) {
      const [error, reply] = results[i] ?? [new Error('no reply to the lease heartbeat')];
      if (error) {
        if (redis.status !== 'end') ctx.onError(error);
        fair = false;
        continue;
      }
      const { live, target, owned } = toBalance(reply);
      const held = new Set(owned);
      for (const [index, lane] of lanes.entries()) {
        const state = states.get(lane.stream);
        if (held.has(index)) {
          if (!state) acquired(lane, sentAt + leaseMs);
          else if (state.status !== 'leaving') state.validUntil = sentAt + leaseMs;
        } else if (state) {
          leave(state); // another member holds it now
        }
      }
      const active = lanes.flatMap((lane) => {
        const state = states.get(lane.stream);
        return state && state.status !== 'leaving' ? [state] : [];
      });
      // Keep the busiest lanes: leaving one waits for its handlers, and a lane behind a long
      // handler would stay unread by anyone until it finished.
      active.sort((x, y) => y.inFlight - x.inFlight);
      for (const state of active.slice(target)) leave(state);
      if (Math.min(active.length, target) < Math.floor(lanes.length / live)) fair = false;
    }
    return fair;
  };

  const tick = async (): Promise<void> => {
    // Heartbeats failed for a whole lease: another member may hold these lanes by now.
    for (const state of states.values()) if (state.validUntil < performance.now()) leave(state);
    await beat();
    for (const state of states.values()) if (state.status === 'ready') await ctx.sweep(state);
  };

  const schedule = (): void => {
    if (stopping.signal.aborted) return;
    timer = setTimeout(
      () => {
        ticking = tick()
          .catch((error: unknown) => {
            if (!stopping.signal.aborted && redis.status !== 'end') ctx.onError(error);
          })
          .finally(schedule);
      },
      Math.floor(leaseMs / 3),
    );
  };

  return {
    async start() {
      const deadline = performance.now() + leaseMs;
      // The others give up lanes at their next heartbeat: ask again until they have.
      while (!(await beat()) && performance.now() < deadline) {
        if (!(await pause(50, stopping.signal))) break;
      }
      schedule();
    },
    get: (stream) => states.get(stream),
    readable(horizonMs) {
      const until = performance.now() + horizonMs;
      return [...states.values()].filter((state) => state.status === 'ready' && state.validUntil > until);
    },
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await ticking;
      for (const state of states.values()) leave(state);
      while (leaving.size > 0) await Promise.all([...leaving]);
      await Promise.all(
        [...ctx.lanesByTopic.keys()].map((topic) =>
          leaveMembers(redis, membersKey(ctx.prefix, topic, member.group), member.consumer),
        ),
      ).catch(() => undefined);
    },
  };
}
