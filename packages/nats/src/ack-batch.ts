/**
 * Acks of one subscription, sent together. The client writes its outbound buffer to the
 * socket one microtask after the first command, and handlers settle over many microtask
 * turns, so acking each message as its handler resolves costs a socket write per ack
 * (a quarter of the consume phase's CPU in a profile). Acks asked for within one turn of
 * the event loop go out in one write instead, still each only after its handler resolved.
 * Whoever needs them on the server before something else (a lane release) calls `flush()`.
 */

/** What is acked: a JetStream message, or anything else with `ack()`. */
export interface Ackable {
  ack(): void;
}

export interface AckBatch {
  /** Acks `msg` before the event loop's next turn (or at `flush()`). */
  ack(msg: Ackable): void;
  /** Sends every ack asked for so far, now. */
  flush(): void;
}

/** `send` performs one ack; it must not throw (the caller wraps it). */
export function createAckBatch(send: (msg: Ackable) => void): AckBatch {
  let pending: Ackable[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const flush = (): void => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    const due = pending;
    pending = [];
    for (const msg of due) send(msg);
  };
  return {
    ack(msg) {
      pending.push(msg);
      scheduled ??= setImmediate(flush);
    },
    flush,
  };
}
