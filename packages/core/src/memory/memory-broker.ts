/**
 * The shared state behind in-memory transports: topics feed consumer groups, each group a
 * queue handed round-robin to its members with per-key exclusivity. Several transports on
 * one broker behave like several processes on one real broker, which is what failure tests
 * (a member crashing, another taking over) need.
 */
import { retryDelayOf } from '../transport/retry-delay.ts';
import type { MessageHandler, TransportMessage } from '../transport/transport.ts';

interface Entry {
  readonly seq: number;
  readonly message: TransportMessage;
  deliveries: number;
  notBefore: number;
}

/** One subscriber of a group; the broker only calls `handler` and reports outcomes. */
export interface MemoryMember {
  readonly topics: ReadonlySet<string>;
  readonly concurrency: number;
  readonly handler: MessageHandler;
  /** Called after each handler outcome was applied (acked or requeued). */
  readonly settled: () => void;
}

interface MemberState {
  readonly member: MemoryMember;
  readonly inFlight: Set<Entry>;
  alive: boolean;
}

interface Group {
  readonly topics: Set<string>;
  /** Entries waiting, in sequence order, from `head` on (those before it are gone). */
  queue: Entry[];
  head: number;
  readonly members: MemberState[];
  readonly keysInFlight: Set<string>;
  next: number;
  timer: NodeJS.Timeout | undefined;
  scheduled: boolean;
}

/** Holds topics and groups; share one between transports to model several processes. */
export interface MemoryBroker {
  /** Accepts messages: each goes to every group bound to its topic. */
  accept(messages: readonly TransportMessage[]): void;
  /** Adds a member to `group` (creating and binding it); returns how to remove it. */
  join(group: string, member: MemoryMember): MemberHandle;
}

export interface MemberHandle {
  /** Stops new deliveries; handlers in flight still finish and ack. */
  leave(): void;
  /** As if the process died: in-flight messages go back to the group at once, unacked. */
  abandon(): void;
  /** Handlers of this member currently running. */
  inFlight(): number;
}

function copy(message: TransportMessage): TransportMessage {
  return { ...message, headers: { ...message.headers }, body: message.body.slice() };
}

function requeue(group: Group, entry: Entry): void {
  // Back in sequence position, so a redelivered message keeps its place before later ones.
  const q = group.queue;
  if (group.head > 0 && (group.head === q.length || (q[group.head] as Entry).seq > entry.seq)) {
    q[--group.head] = entry;
    return;
  }
  for (let at = group.head; at < q.length; at++) {
    if ((q[at] as Entry).seq > entry.seq) {
      q.splice(at, 0, entry);
      return;
    }
  }
  q.push(entry);
}

/** Handler slots free over the group's members. */
function freeSlots(group: Group): number {
  let free = 0;
  for (const state of group.members) free += Math.max(0, state.member.concurrency - state.inFlight.size);
  return free;
}

/**
 * @example
 * const broker = createMemoryBroker();
 * const a = createMemoryTransport({ broker });
 * const b = createMemoryTransport({ broker }); // sees what `a` publishes
 */
export function createMemoryBroker(): MemoryBroker {
  const groups = new Map<string, Group>();
  let seq = 0;

  function schedule(group: Group): void {
    if (group.scheduled) return;
    group.scheduled = true;
    // A macrotask hop keeps handler chains from growing the stack and lets publishes batch.
    setImmediate(() => {
      group.scheduled = false;
      dispatch(group);
    });
  }

  function pickMember(group: Group, topic: string): MemberState | undefined {
    const n = group.members.length;
    for (let i = 0; i < n; i++) {
      const state = group.members[(group.next + i) % n]!;
      if (state.member.topics.has(topic) && state.inFlight.size < state.member.concurrency) {
        group.next = (group.next + i + 1) % n;
        return state;
      }
    }
    return undefined;
  }

  /**
   * Hands out entries in sequence order until every slot is taken. The scan stops there, so
   * a backlog costs only what is scanned (the entries held back by their key, then the ones
   * delivered), not the whole queue per freed slot.
   */
  function dispatch(group: Group): void {
    if (group.members.length === 0) return;
    let free = freeSlots(group);
    if (free === 0) return;
    const now = Date.now();
    const blocked = new Set<string>(group.keysInFlight);
    let wakeAt = Number.POSITIVE_INFINITY;
    const q = group.queue;
    // Kept entries are written back from `kept` on; delivered ones leave holes after them.
    let kept = group.head;
    let at = group.head;
    for (; at < q.length && free > 0; at++) {
      const entry = q[at] as Entry;
      const key = entry.message.key;
      const member =
        blocked.has(key) || entry.notBefore > now ? undefined : pickMember(group, entry.message.topic);
      if (member === undefined) {
        if (entry.notBefore > now) wakeAt = Math.min(wakeAt, entry.notBefore);
        // An entry that waits holds its key: later messages of that key must not overtake it.
        blocked.add(key);
        q[kept++] = entry;
        continue;
      }
      blocked.add(key);
      free--;
      deliver(group, member, entry);
    }
    // Close the holes: move the kept entries up against the unscanned rest.
    const holes = at - kept;
    if (holes > 0) {
      for (let k = kept - 1; k >= group.head; k--) q[k + holes] = q[k] as Entry;
      group.head += holes;
    }
    if (group.head > 1024 && group.head * 2 > q.length) {
      group.queue = q.slice(group.head);
      group.head = 0;
    }
    if (wakeAt !== Number.POSITIVE_INFINITY) {
      clearTimeout(group.timer);
      group.timer = setTimeout(() => dispatch(group), Math.max(0, wakeAt - now)).unref();
    }
  }

  function deliver(group: Group, state: MemberState, entry: Entry): void {
    entry.deliveries += 1;
    group.keysInFlight.add(entry.message.key);
    state.inFlight.add(entry);
    const received = { ...copy(entry.message), deliveryCount: entry.deliveries };
    Promise.resolve()
      .then(() => state.member.handler(received))
      .then(
        () => settle(group, state, entry, undefined),
        (error: unknown) => settle(group, state, entry, { error }),
      );
  }

  function settle(
    group: Group,
    state: MemberState,
    entry: Entry,
    failure: { error: unknown } | undefined,
  ): void {
    // An abandoned member's entries were already returned to the queue; ignore its outcome.
    if (!state.inFlight.delete(entry)) return;
    group.keysInFlight.delete(entry.message.key);
    if (failure) {
      entry.notBefore = Date.now() + (retryDelayOf(failure.error) ?? 0);
      requeue(group, entry);
    }
    state.member.settled();
    schedule(group);
  }

  return {
    accept(messages) {
      const touched = new Set<Group>();
      for (const message of messages) {
        const frozen = copy(message);
        const s = ++seq;
        for (const group of groups.values()) {
          if (!group.topics.has(message.topic)) continue;
          group.queue.push({ seq: s, message: frozen, deliveries: 0, notBefore: 0 });
          touched.add(group);
        }
      }
      for (const group of touched) schedule(group);
    },
    join(name, member) {
      let group = groups.get(name);
      if (!group) {
        group = {
          topics: new Set(),
          queue: [],
          head: 0,
          members: [],
          keysInFlight: new Set(),
          next: 0,
          timer: undefined,
          scheduled: false,
        };
        groups.set(name, group);
      }
      for (const topic of member.topics) group.topics.add(topic);
      const state: MemberState = { member, inFlight: new Set(), alive: true };
      group.members.push(state);
      schedule(group);
      const g = group;
      const leave = () => {
        if (!state.alive) return;
        state.alive = false;
        g.members.splice(g.members.indexOf(state), 1);
        if (g.members.length === 0) clearTimeout(g.timer);
      };
      return {
        leave,
        abandon() {
          leave();
          for (const entry of state.inFlight) {
            g.keysInFlight.delete(entry.message.key);
            requeue(g, entry);
          }
          state.inFlight.clear();
          schedule(g);
        },
        inFlight: () => state.inFlight.size,
      };
    },
  };
}
