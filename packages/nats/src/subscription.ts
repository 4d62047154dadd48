/**
 * One subscription: a durable pull consumer per (group, topic) so members of a group
 * compete, a keyed dispatcher that bounds concurrency and keeps one key in order within this
 * member, `working()` heartbeats while a handler runs, ack after it resolves, `nak(delay)`
 * after it rejects, and a dead letter once `maxDeliver` deliveries are used up.
 */
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import {
  ConfigurationError,
  createKeyedDispatcher,
  DoNotRetry,
  errorCodeOf,
  errorMessage,
  type MessageHandler,
  type ReceivedMessage,
  retryDelayOf,
  type SubscribeRequest,
  type Subscription,
  TransportError,
} from '@tidings/core';
import { loadChunks } from './chunks.ts';
import { publishDeadLetter } from './dead-letter.ts';
import { fromNatsHeaders } from './headers.ts';
import type { ResolvedNatsOptions } from './options.ts';
import type { PublishTarget } from './publish.ts';

import { durableName, subjectTopic, topicSubject } from './subjects.ts';

export interface SubscriptionContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly options: ResolvedNatsOptions;
  readonly publishTarget: PublishTarget;
}

async function ensureConsumer(context: SubscriptionContext, name: string, subject: string): Promise<void> {
  const { jsm, options } = context;
  const config = {
    durable_name: name,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    // A new group starts with messages published after it, like a Redis `$` or a fresh queue.
    deliver_policy: DeliverPolicy.New,
    ack_wait: nanos(options.ackWaitMs),
    // Unlimited server-side: the transport counts deliveries itself so it can dead-letter
    // instead of JetStream silently giving up on the message.
    max_deliver: -1,
  };
  try {
    await jsm.consumers.add(options.stream, config);
  } catch (addError) {
    // It exists with other settings (another member, an older version): keep it, align what can change.
    try {
      await jsm.consumers.update(options.stream, name, { ack_wait: config.ack_wait, max_deliver: -1 });
    } catch (error) {
      throw new TransportError(
        `Cannot create or update JetStream consumer "${name}" on stream "${options.stream}" for "${subject}": ${errorMessage(addError)}; then ${errorMessage(error)}. Check the stream exists and the consumer is not a push consumer of another application.`,
        { cause: error },
      );
    }
  }
}

/** Ack-family calls throw once the connection is closed (e.g. a crash); the server redelivers anyway. */
function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Nothing to do: without a connection the delivery simply times out and comes back.
  }
}

async function toReceived(context: SubscriptionContext, msg: JsMsg): Promise<ReceivedMessage> {
  const { headers, key, id, chunks } = fromNatsHeaders(msg.headers);
  const { jsm, options } = context;
  // JetStream's own store time stands in for a foreign event's missing `time`.
  const nanos = msg.info.timestampNanos;
  return {
    // A foreign producer may set no Nats-Msg-Id: its CloudEvent id, else the stream sequence.
    id: id || headers['ce-id'] || `${options.stream}/${msg.seq}`,
    topic: subjectTopic(options.prefix, msg.subject),
    key,
    headers,
    body: chunks === undefined ? msg.data : await loadChunks(jsm, options.stream, chunks),
    deliveryCount: msg.info.deliveryCount,
    ...(nanos > 0 ? { publishedAt: new Date(Math.floor(nanos / 1e6)).toISOString() } : {}),
  };
}

export async function openSubscription(
  context: SubscriptionContext,
  request: SubscribeRequest,
  handler: MessageHandler,
  onClosed: () => void,
): Promise<Subscription> {
  const { js, nc, options } = context;
  const concurrency = request.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new ConfigurationError(`Subscription concurrency ${concurrency} is invalid: pass an integer ≥ 1.`);
  }
  if (request.topics.length === 0) {
    throw new ConfigurationError(
      `Subscription of group "${request.group}" has no topics: pass at least one.`,
    );
  }
  const names = request.topics.map((topic) => ({
    name: durableName(request.group, topic),
    subject: topicSubject(options.prefix, topic),
  }));
  for (const { name, subject } of names) await ensureConsumer(context, name, subject);

  const heartbeatMs = Math.max(500, Math.floor(options.ackWaitMs / 3));

  const settle = async (msg: JsMsg, received: ReceivedMessage, error: unknown): Promise<void> => {
    const final = DoNotRetry.is(error);
    if (final || received.deliveryCount >= options.maxDeliver) {
      const reason = final
        ? `handler refused to retry: ${errorMessage(error)}`
        : `handler failed ${received.deliveryCount} time(s), last: ${errorMessage(error)}`;
      try {
        await publishDeadLetter(context.publishTarget, request.group, received, reason, errorCodeOf(error));
        quietly(() => msg.term());
        return;
      } catch (deadLetterError) {
        options.onError(deadLetterError);
      }
    }
    const delay = retryDelayOf(error) ?? options.redeliveryDelayMs;
    quietly(() => msg.nak(delay > 0 ? delay : undefined));
  };

  const handle = async (msg: JsMsg): Promise<void> => {
    let received: ReceivedMessage;
    try {
      received = await toReceived(context, msg);
    } catch (error) {
      // A body that cannot be reassembled never will be: hand it to the dead letters as it is.
      const { headers, key, id } = fromNatsHeaders(msg.headers);
      const topic = subjectTopic(options.prefix, msg.subject);
      const bare = { id, topic, key, headers, body: msg.data, deliveryCount: msg.info.deliveryCount };
      await settle(msg, bare, new DoNotRetry(errorMessage(error), { cause: error }));
      return;
    }
    if (received.deliveryCount > options.maxDeliver) {
      // Delivered too often without an ack at all: the handler keeps crashing its process or
      // outlives ackWait. Stop the loop here rather than run it again.
      await settle(msg, received, new Error(`no ack after ${received.deliveryCount} deliveries`));
      return;
    }
    const timer = setInterval(() => quietly(() => msg.working()), heartbeatMs);
    let failure: { error: unknown } | undefined;
    try {
      await handler(received);
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(timer);
    }
    if (failure) await settle(msg, received, failure.error);
    else quietly(() => msg.ack());
  };

  const dispatcher = createKeyedDispatcher<JsMsg>(concurrency, handle);
  let closing = false;
  let closed: Promise<void> | undefined;
  const streams: ConsumerMessages[] = [];
  const loops: Promise<void>[] = [];
  for (const { name } of names) {
    const consumer = await js.consumers.get(options.stream, name);
    // Pull no more than the handlers can start soon: buffered messages age towards ackWait.
    const messages = await consumer.consume({ max_messages: concurrency });
    streams.push(messages);
    loops.push(
      (async () => {
        try {
          for await (const msg of messages) dispatcher.push(fromNatsHeaders(msg.headers).key, msg);
        } catch (error) {
          if (!closing) options.onError(error);
        }
      })(),
    );
  }

  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      await Promise.all(streams.map((messages) => messages.close().catch(() => undefined)));
      await Promise.all(loops);
      // Not started yet: give them straight back so another member need not wait for ackWait.
      for (const msg of dispatcher.takeWaiting()) quietly(() => msg.nak());
      await dispatcher.idle();
      if (!nc.isClosed()) await nc.flush().catch(() => undefined);
      onClosed();
    })();
    return closed;
  };
  return { close };
}
