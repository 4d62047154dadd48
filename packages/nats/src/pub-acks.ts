/**
 * JetStream publishes with their PubAcks collected on one subscription, as the Go client's
 * `PublishAsync` does: each message goes out with a reply subject under this transport's
 * own inbox, and the ack the stream sends there settles its promise. `js.publish` is a
 * request per message instead: a muxed request, a timer, and a `RequestError("cancelled")`
 * with its stack built after every successful ack (nats-core's `RequestOne.cancel`), about
 * a sixth of a relay's CPU on NATS. Here one sweep timer, running only while acks are
 * outstanding, fails the ones that did not come back in time.
 */
import type { MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';
import { TransportError } from '@tidings/core';

export interface PubAcks {
  /** Publishes to `subject` and resolves once the stream stored it (or saw it as a duplicate). */
  publish(subject: string, body: Uint8Array, headers: MsgHdrs): Promise<void>;
  /**
   * Stops taking publishes, waits for the outstanding ones to be acknowledged or to time
   * out, then stops listening.
   */
  close(): Promise<void>;
}

interface Outstanding {
  readonly subject: string;
  readonly deadline: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

const decoder = new TextDecoder();

/** What a stream answers a publish with: `{ stream, seq, duplicate? }` or `{ error }`. */
interface PubAckReply {
  readonly stream?: string;
  readonly error?: { readonly code?: number; readonly description?: string };
}

export function createPubAcks(
  nc: NatsConnection,
  options: { readonly timeoutMs: number; readonly now?: () => number },
): PubAcks {
  const now = options.now ?? Date.now;
  const inbox = createInbox();
  const outstanding = new Map<string, Outstanding>();
  let next = 0;
  let sweeper: NodeJS.Timeout | undefined;
  let closed = false;
  let subscription: Subscription | undefined;
  let drained: (() => void) | undefined;

  const settle = (token: string, error?: Error) => {
    const entry = outstanding.get(token);
    if (!entry) return;
    outstanding.delete(token);
    if (error) entry.reject(error);
    else entry.resolve();
    if (outstanding.size === 0) {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      drained?.();
    }
  };

  const sweep = () => {
    const at = now();
    for (const [token, entry] of outstanding) {
      if (entry.deadline > at) continue;
      settle(
        token,
        new TransportError(
          `JetStream did not acknowledge a publish to ${entry.subject} within ${options.timeoutMs} ms.`,
        ),
      );
    }
  };

  const listen = (): Subscription => {
    subscription ??= nc.subscribe(`${inbox}.*`, {
      callback: (error, msg) => {
        if (error) {
          for (const token of [...outstanding.keys()])
            settle(token, new TransportError(`Lost the JetStream acknowledgements: ${error.message}`));
          subscription = undefined;
          return;
        }
        const token = msg.subject.slice(inbox.length + 1);
        const subject = outstanding.get(token)?.subject;
        if (subject === undefined) return;
        // A 503 status without a body: no stream listens on the subject.
        if (msg.data.length === 0 && msg.headers?.code === 503) {
          settle(token, new TransportError(`No JetStream stream stores subject ${subject}.`));
          return;
        }
        let reply: PubAckReply;
        try {
          reply = JSON.parse(decoder.decode(msg.data)) as PubAckReply;
        } catch {
          settle(token, new TransportError(`JetStream answered a publish to ${subject} with no PubAck.`));
          return;
        }
        if (reply.error) {
          settle(
            token,
            new TransportError(
              `JetStream refused a publish to ${subject}: ${reply.error.description ?? 'no reason given'} (${reply.error.code ?? '?'}).`,
            ),
          );
        } else if (typeof reply.stream !== 'string' || reply.stream === '') {
          settle(
            token,
            new TransportError(`JetStream answered a publish to ${subject} with an invalid PubAck.`),
          );
        } else settle(token);
      },
    });
    return subscription;
  };

  return {
    publish(subject, body, headers) {
      if (closed) return Promise.reject(new TransportError('The JetStream publisher is closed.'));
      const token = (next++).toString(36);
      return new Promise<void>((resolve, reject) => {
        outstanding.set(token, { subject, deadline: now() + options.timeoutMs, resolve, reject });
        sweeper ??= setInterval(sweep, Math.max(10, Math.ceil(options.timeoutMs / 4)));
        sweeper.unref?.();
        try {
          listen();
          nc.publish(subject, body, { reply: `${inbox}.${token}`, headers });
        } catch (error) {
          settle(token, error instanceof Error ? error : new TransportError(String(error)));
        }
      });
    },
    async close() {
      closed = true;
      if (outstanding.size > 0) await new Promise<void>((resolve) => (drained = resolve));
      subscription?.unsubscribe();
      subscription = undefined;
    },
  };
}
