/**
 * The LISTEN side of `onAppend`: one dedicated connection (outside the pool, so it never
 * holds a pool slot) LISTENs on the store's channel while anyone is subscribed, and calls
 * the listeners on each NOTIFY. When the connection drops it reconnects with backoff and
 * then wakes the listeners once, because appends made meanwhile sent no notification that
 * reached us. Nothing is logged: a relay still polls, so a lost wake-up only costs latency.
 */
import type { Client } from 'pg';

export interface Notifier {
  /** Subscribes; starts listening if needed. Returns the unsubscribe function. */
  add(listener: () => void): () => void;
  /**
   * Settles once the current connection attempt succeeded or failed (never rejects);
   * at once when not connecting. Appends wait for it so their NOTIFY reaches our listeners.
   */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const firstRetryMs = 100;
const maxRetryMs = 5_000;

export function createNotifier(connect: () => Client, channel: string): Notifier {
  const listeners = new Set<() => void>();
  let client: Client | undefined;
  let connecting: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryMs = firstRetryMs;
  let missed = false;
  let closed = false;

  const wake = () => {
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch {
        // A listener's failure is its own; the others must still be woken.
      }
    }
  };

  const wanted = () => !closed && listeners.size > 0;

  let ending: Promise<void> = Promise.resolve();
  const drop = (lost: Client) => {
    lost.removeAllListeners('notification');
    lost.on('error', () => undefined);
    ending = Promise.all([ending, lost.end().catch(() => undefined)]).then(() => undefined);
  };

  const lose = (lost: Client) => {
    if (client !== lost) return;
    client = undefined;
    drop(lost);
    missed = true;
    schedule();
  };

  const schedule = () => {
    if (!wanted() || retryTimer || connecting || client) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      start();
    }, retryMs);
    retryTimer.unref();
    retryMs = Math.min(retryMs * 2, maxRetryMs);
  };

  const start = () => {
    if (!wanted() || client || connecting) return;
    const next = connect();
    next.on('error', () => lose(next));
    next.on('end', () => lose(next));
    next.on('notification', (message) => {
      if (message.channel === channel) wake();
    });
    connecting = (async () => {
      try {
        await next.connect();
        await next.query(`LISTEN "${channel}"`);
      } catch {
        drop(next);
        missed = true;
        connecting = undefined;
        schedule();
        return;
      }
      connecting = undefined;
      if (!wanted()) {
        drop(next);
        return;
      }
      client = next;
      retryMs = firstRetryMs;
      if (missed) {
        missed = false;
        wake();
      }
    })();
  };

  const stop = () => {
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = undefined;
    missed = false;
    if (client) {
      const current = client;
      client = undefined;
      drop(current);
    }
  };

  return {
    add(listener) {
      // A wrapper per subscription, so the same function subscribed twice unsubscribes once each.
      const entry = () => listener();
      listeners.add(entry);
      start();
      return () => {
        listeners.delete(entry);
        if (listeners.size === 0) stop();
      };
    },
    ready() {
      return connecting ?? Promise.resolve();
    },
    async close() {
      closed = true;
      listeners.clear();
      const pending = connecting;
      stop();
      await pending;
      await ending;
    },
  };
}
