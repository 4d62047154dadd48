/**
 * One subscription: a durable pull consumer per (group, topic) so members of a group
 * compete, pulls sized to the free handler slots (a message's ackWait runs from the moment
 * the server sends it), a keyed dispatcher that keeps one key in order within this member,
 * one `working()` heartbeat for every message held, ack after the handler resolves,
 * `nak(delay)` after it rejects, and a dead letter once `maxDeliver` deliveries are used up.
 */
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import {
  ConfigurationError,
  DoNotRetry,
  type MessageHandler,
  type ReceivedMessage,
  type SubscribeRequest,
  type Subscription,
  TransportError,
} from '@tidings/core';
import { createKeyedDispatcher, errorCodeOf, errorMessage, pause, retryDelayOf } from '@tidings/core/spi';
import { loadChunks } from './chunks.ts';
import { publishDeadLetter } from './dead-letter.ts';
import { fromNatsHeaders, msgIdHeader } from './headers.ts';
import type { ResolvedNatsOptions } from './options.ts';
import type { PublishTarget } from './publish.ts';
import { createPullSlots } from './pull-slots.ts';

import { durableName, subjectTopic, topicSubject } from './subjects.ts';
import { natsDeliveryNotes } from './telemetry.ts';

// A pull that finds nothing ends after this long and is renewed; short, so slots a quiet
// topic took go back to the others soon.
const pullExpiresMs = 2_000;
const pullRetryMs = 500;

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
  const storedNanos = msg.info.timestampNanos;
  const received = {
    // A foreign producer may set no Nats-Msg-Id: its CloudEvent id, else the stream sequence.
    id: id || headers['ce-id'] || `${options.stream}/${msg.seq}`,
    topic: subjectTopic(options.prefix, msg.subject),
    key,
    headers,
    body:
      chunks === undefined
        ? msg.data
        : await loadChunks(
            jsm,
            {
              stream: options.stream,
              prefix: options.prefix,
              maxBytes: options.maxMessageBytes,
              maxPayload: context.publishTarget.maxPayload,
            },
            msg.headers?.get(msgIdHeader) ?? '',
            chunks,
          ),
    deliveryCount: msg.info.deliveryCount,
    ...(storedNanos > 0 ? { publishedAt: new Date(Math.floor(storedNanos / 1e6)).toISOString() } : {}),
  };
  return natsDeliveryNotes.note(received, { 'messaging.nats.stream_sequence': msg.info.streamSequence });
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
    let failure: { error: unknown } | undefined;
    try {
      await handler(received);
    } catch (error) {
      failure = { error };
    }
    if (failure) await settle(msg, received, failure.error);
    else quietly(() => msg.ack());
  };

  // Every message held, waiting for its key or running, is kept alive by one heartbeat.
  const held = new Set<JsMsg>();
  const heartbeat = setInterval(() => {
    for (const msg of held) quietly(() => msg.working());
  }, heartbeatMs);
  heartbeat.unref();
  const slots = createPullSlots(concurrency);
  const dispatcher = createKeyedDispatcher<JsMsg>(concurrency, async (msg) => {
    try {
      await handle(msg);
    } finally {
      held.delete(msg);
      slots.give(1);
    }
  });
  let closing = false;
  const stopping = new AbortController();
  let closed: Promise<void> | undefined;
  const pulls = new Set<ConsumerMessages>();
  // With several topics each consumer pulls a fair share, so one idle topic cannot sit on
  // every slot while another has a backlog.
  const share = Math.max(1, Math.floor(concurrency / names.length));
  const pullLoop = async (consumer: Consumer): Promise<void> => {
    while (!closing) {
      const wanted = await slots.take(share);
      if (wanted === 0) return;
      let delivered = 0;
      try {
        const batch = await consumer.fetch({ max_messages: wanted, expires: pullExpiresMs });
        pulls.add(batch);
        // Closed meanwhile: stop it now (its iterator then ends at once); awaiting close() here
        // would wait for the iteration below.
        if (closing) void batch.close().catch(() => undefined);
        try {
          for await (const msg of batch) {
            delivered += 1;
            held.add(msg);
            dispatcher.push(fromNatsHeaders(msg.headers).key, msg);
          }
        } finally {
          pulls.delete(batch);
        }
      } catch (error) {
        if (closing) return;
        options.onError(error);
        // The client reconnects by itself; wait a little rather than spin on a failing pull.
        await pause(pullRetryMs, stopping.signal);
      } finally {
        slots.give(wanted - delivered);
      }
    }
  };
  const loops: Promise<void>[] = [];
  for (const { name } of names) {
    const consumer = await js.consumers.get(options.stream, name);
    loops.push(pullLoop(consumer));
  }

  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      stopping.abort();
      slots.close();
      await Promise.all([...pulls].map((batch) => batch.close().catch(() => undefined)));
      await Promise.all(loops);
      // Not started yet: give them straight back so another member need not wait for ackWait.
      for (const msg of dispatcher.takeWaiting()) {
        held.delete(msg);
        quietly(() => msg.nak());
      }
      await dispatcher.idle();
      clearInterval(heartbeat);
      if (!nc.isClosed()) await nc.flush().catch(() => undefined);
      onClosed();
    })();
    return closed;
  };
  return { close };
}
