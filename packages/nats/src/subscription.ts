/**
 * One subscription. Each topic has ordered lanes (`<prefix>.<topic>._<n>`, a key always in
 * the same lane), each with its own durable consumer per group; the members of a group share
 * the lanes through leases (lane-balancer.ts), so one lane, and every key in it, is handled
 * by one member at a time. Within the member a keyed dispatcher runs different keys
 * concurrently and one key at a time; a rejected message is retried IN PLACE after its
 * `retryDelayMs` (its key's later messages wait behind it), kept alive meanwhile by the one
 * heartbeat. Ack after the handler resolved; at the `maxDeliveries` backstop, or on
 * `DoNotRetry` from a handler that decides nothing itself, the message is terminated and
 * reported to `onError`: the consumer pipeline dead-letters long before. The plain subject
 * `<prefix>.<topic>` (foreign producers) is consumed too, by competing members, unordered.
 */
import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import {
  DoNotRetry,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  TransportError,
} from '@tidings/core';
import { createKeyedDispatcher, errorMessage, retryDelayOf, transportErrorHeader } from '@tidings/core/spi';
import { type Ackable, createAckBatch } from './ack-batch.ts';
import { ensureConsumer, type Replay, resumeLaneConsumer } from './consumers.ts';
import { type NatsHeaders, readNatsHeaders } from './headers.ts';
import { createLaneBalancer, type LaneBalancer } from './lane-balancer.ts';
import type { LeaseBucket } from './lease-bucket.ts';
import type { ResolvedNatsOptions } from './options.ts';
import { type PullLoop, startPullLoop } from './pull-loop.ts';
import { attemptOf, type ReadMessage, readMessage, refusedMessage } from './receive.ts';
import { createRetryTimer } from './retry-timer.ts';
import { consumerName, durableName, laneDurableName, laneSubject, topicSubject } from './subjects.ts';
import { validateSubscribeRequest } from './subscribe-request.ts';

function attemptSummary(error: unknown, attempts: number): string {
  const why = DoNotRetry.is(error) ? 'the handler refused to retry' : 'maxDeliveries reached';
  return `${why} after ${attempts} attempt(s), last: ${errorMessage(error)}`;
}

export interface SubscriptionContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly options: ResolvedNatsOptions;
  readonly leases: LeaseBucket;
  readonly maxPayload: () => number;
}

/** Messages of one consumer this member holds; `active` false once its lane was lost. */
interface Lane {
  readonly topic: string;
  readonly held: Set<JsMsg>;
  active: boolean;
  /** After a takeover: the first message above the floor inherits its earlier deliveries. */
  replay?: Replay | undefined;
  loop?: PullLoop;
  drained?: () => void;
}

interface Held {
  readonly msg: JsMsg;
  readonly lane: Lane;
  readonly loop: PullLoop;
  readonly earlier: number;
  /** Read once on arrival: the key routes it in the dispatcher, the rest builds the message. */
  readonly read: NatsHeaders;
}

/** Ack-family calls throw once the connection is closed (e.g. a crash); the server redelivers anyway. */
function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Nothing to do: without a connection the delivery simply times out and comes back.
  }
}

/** `quietly(() => msg.ack())` without a closure per ack. */
function ackQuietly(msg: Ackable): void {
  try {
    msg.ack();
  } catch {
    // As in `quietly`: the server redelivers it.
  }
}

export async function openSubscription(
  context: SubscriptionContext,
  request: SubscribeRequest,
  handler: MessageHandler,
  onClosed: () => void,
): Promise<Subscription> {
  const { nc, js, jsm } = context;
  // The request's limit (the consumer's retry budget + 1) raises the backstop for this
  // subscription, so the consumer pipeline dead-letters before JetStream ever gives up.
  const options: ResolvedNatsOptions = {
    ...context.options,
    maxDeliveries: Math.max(context.options.maxDeliveries, request.maxDeliveries ?? 0),
  };
  const { group, topics, concurrency } = validateSubscribeRequest(options.prefix, request);
  const lanes = Array.from({ length: options.partitions }, (_, n) => n);
  await Promise.all(
    topics.flatMap((topic) => [
      ensureConsumer(jsm, options, durableName(group, topic), topicSubject(options.prefix, topic)),
      ...lanes.map((n) =>
        ensureConsumer(jsm, options, laneDurableName(group, topic, n), laneSubject(options.prefix, topic, n)),
      ),
    ]),
  );

  let closing = false;
  const retries = createRetryTimer();
  const held = new Set<JsMsg>();
  // Sent together (one socket write per turn); flushed before a lane is released or the subscription closes.
  const acks = createAckBatch(ackQuietly);

  const giveUp = (msg: JsMsg, reason: string, error: unknown): void => {
    options.onError(
      new TransportError(
        `Group "${group}" gave up on message ${msg.seq} of "${msg.subject}": ${reason}. JetStream will not deliver it to this group again; it stays in stream "${options.stream}" at sequence ${msg.seq}.`,
        { cause: error },
      ),
    );
    quietly(() => msg.term());
  };

  const process = async ({ msg, lane, earlier, read: headers }: Held): Promise<void> => {
    // A lost lane is its new owner's to replay; doing it here too could reorder its keys.
    if (!lane.active) return;
    if (msg.info.deliveryCount + earlier > options.maxDeliveries) {
      // Its members died with it more often than the backstop allows: stop the loop here.
      return giveUp(msg, `delivered ${msg.info.deliveryCount + earlier} times without an ack`, undefined);
    }
    let message: ReadMessage;
    try {
      const read = readMessage(context, msg, lane.topic, headers);
      message = read instanceof Promise ? await read : read;
    } catch (error) {
      // Handed over, not terminated: the consumer dead-letters it with the reason, findable.
      const reason = `it cannot be read: ${errorMessage(error)}`;
      options.onError(
        new TransportError(
          `Group "${group}" received message ${msg.seq} of "${msg.subject}" that ${reason}; handed to the handler without its body, the reason in the ${transportErrorHeader} header.`,
          { cause: error },
        ),
      );
      message = refusedMessage(context, msg, lane.topic, reason);
    }
    for (let retried = 0; ; retried++) {
      const attempt = attemptOf(message, msg, retried, earlier);
      try {
        await handler(attempt);
        acks.ack(msg);
        return;
      } catch (error) {
        if (DoNotRetry.is(error) || attempt.deliveryCount >= options.maxDeliveries) {
          return giveUp(msg, attemptSummary(error, attempt.deliveryCount), error);
        }
        // In place: the dispatcher keeps the key busy, so its later messages wait behind this one.
        const elapsed = await retries.wait(retryDelayOf(error) ?? 0);
        if (!elapsed) return quietly(() => msg.nak());
        if (!lane.active) return;
      }
    }
  };

  const dispatcher = createKeyedDispatcher<Held>(concurrency, async (item) => {
    try {
      await process(item);
    } finally {
      release(item);
    }
  });
  const release = ({ msg, lane, loop }: Held): void => {
    held.delete(msg);
    lane.held.delete(msg);
    loop.settled();
    if (lane.held.size === 0) lane.drained?.();
  };
  const deliver =
    (lane: Lane) =>
    (msg: JsMsg, loop: PullLoop): void => {
      held.add(msg);
      lane.held.add(msg);
      let earlier = 0;
      if (lane.replay && msg.seq > lane.replay.floor) {
        earlier = lane.replay.earlier;
        lane.replay = undefined;
      }
      const read = readNatsHeaders(msg);
      dispatcher.push(read.key, { msg, lane, loop, earlier, read });
    };
  const pulling = new Set<Lane>();
  const startLoop = async (lane: Lane, name: string): Promise<void> => {
    const consumer = await js.consumers.get(options.stream, name);
    if (closing) throw new TransportError(`The subscription of group "${group}" is closing.`);
    lane.loop = startPullLoop(consumer, concurrency, deliver(lane), options.onError);
    pulling.add(lane);
  };

  // Foreign producers' plain subjects: every member pulls, like competing consumers.
  const plain: Lane[] = [];
  for (const topic of topics) {
    const lane: Lane = { topic, held: new Set(), active: true };
    await startLoop(lane, durableName(group, topic));
    plain.push(lane);
  }

  const nudges: NatsSubscription[] = [];
  const balancers: LaneBalancer[] = topics.map((topic) => {
    const scope = `${consumerName(group)}.${consumerName(topic)}`;
    const nudgeSubject = `_tidings.lanes.${options.stream}.${scope}`;
    const owned = new Map<number, Lane>();
    const balancer = createLaneBalancer(
      context.leases,
      scope,
      options.partitions,
      options.leaseTtlMs,
      {
        async start(partition) {
          const name = laneDurableName(group, topic, partition);
          const replay = await resumeLaneConsumer(
            jsm,
            options,
            name,
            laneSubject(options.prefix, topic, partition),
          );
          const lane: Lane = { topic, held: new Set(), active: true, replay };
          await startLoop(lane, name);
          owned.set(partition, lane);
        },
        async stop(partition, lost) {
          const lane = owned.get(partition);
          if (!lane) return;
          owned.delete(partition);
          if (lost) lane.active = false;
          await lane.loop?.stop();
          pulling.delete(lane);
          if (!lost && lane.held.size > 0) await new Promise<void>((done) => (lane.drained = done));
          acks.flush();
          // Our acks reach the server before the release does: the next owner sees them.
          if (!nc.isClosed()) await nc.flush().catch(() => undefined);
        },
        held: (partition) => owned.get(partition)?.held.size ?? 0,
        released: () => quietly(() => nc.publish(nudgeSubject)),
      },
      options.onError,
    );
    nudges.push(nc.subscribe(nudgeSubject, { callback: () => void balancer.tick() }));
    return balancer;
  });

  // One timer for the subscription: lease renewals and rebalancing, and `working()` for
  // every message held (waiting for its key, retrying or running) so none outlives ackWait.
  const workingMs = Math.floor(options.ackWaitMs / 3);
  const tickMs = Math.min(1000, Math.floor(options.leaseTtlMs / 3), workingMs);
  let workedAt = Date.now();
  const ticker = setInterval(() => {
    if (Date.now() - workedAt >= workingMs - tickMs / 2) {
      workedAt = Date.now();
      for (const msg of held) quietly(() => msg.working());
    }
    for (const balancer of balancers) void balancer.tick();
  }, tickMs);
  ticker.unref();

  // Ready once this member holds its fair share, or after one lease TTL (a crashed member's
  // lanes come free only then; meanwhile the live members keep consuming them).
  for (const [n, topic] of topics.entries()) {
    const scope = `${consumerName(group)}.${consumerName(topic)}`;
    quietly(() => nc.publish(`_tidings.lanes.${options.stream}.${scope}`));
    await balancers[n]?.tick();
  }
  const readyBy = Date.now() + options.leaseTtlMs;
  while (balancers.some((b) => b.owned < b.target) && Date.now() < readyBy) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(balancers.map((b) => b.tick()));
  }

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true;
      clearInterval(ticker);
      for (const nudge of nudges) quietly(() => nudge.unsubscribe());
      await Promise.all([...pulling].map((lane) => lane.loop?.stop()));
      // Not started yet: give them straight back so the next owner need not wait for ackWait.
      for (const item of dispatcher.takeWaiting()) {
        quietly(() => item.msg.nak());
        release(item);
      }
      retries.close();
      await dispatcher.idle();
      acks.flush();
      if (!nc.isClosed()) await nc.flush().catch(() => undefined);
      // Drained: release every lane (with its acks flushed first) for the other members.
      await Promise.all(balancers.map((balancer) => balancer.close()));
      onClosed();
    })();
    return closed;
  };
  return { close };
}
