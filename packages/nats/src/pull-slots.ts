/**
 * The handler slots a subscription pulls against. A JetStream message starts its ackWait
 * when the server sends it, so a member must ask for no more messages than it can hold
 * under a heartbeat: each pull takes the free slots first, each delivered message keeps
 * its slot until settled, and a pull that ended short gives the rest back.
 */

export interface PullSlots {
  /**
   * Waits until `least()` slots are free (at least 1, at most the capacity; or `close()`),
   * then takes up to `max` free slots; 0 once closed. `least` is asked again on every change.
   */
  take(max: number, least?: () => number): Promise<number>;
  /** Gives `count` slots back: a message was settled, or a pull delivered fewer than it took (0: ask `least` again). */
  give(count: number): void;
  /** Slots taken: messages held plus pulls outstanding. */
  readonly taken: number;
  /** Wakes every waiting `take` with 0. */
  close(): void;
}

const one = () => 1;

export function createPullSlots(capacity: number): PullSlots {
  let taken = 0;
  let closed = false;
  // First come, first served: a pull loop that gives slots back and asks again at once
  // must queue behind the loops already waiting, or one topic starves the others.
  const queue: {
    readonly max: number;
    readonly least: () => number;
    readonly resume: (count: number) => void;
  }[] = [];
  const serve = () => {
    while (queue.length > 0) {
      const next = queue[0] as (typeof queue)[number];
      const least = Math.min(capacity, Math.max(1, next.least()));
      if (!closed && capacity - taken < least) return;
      queue.shift();
      const count = closed ? 0 : Math.min(next.max, capacity - taken);
      taken += count;
      next.resume(count);
    }
  };
  return {
    take(max, least = one) {
      const granted = new Promise<number>((resume) => queue.push({ max, least, resume }));
      serve();
      return granted;
    },
    give(count) {
      taken -= count;
      serve();
    },
    get taken() {
      return taken;
    },
    close() {
      closed = true;
      serve();
    },
  };
}
