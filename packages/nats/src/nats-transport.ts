/**
 * The NATS JetStream transport: one stream over `<prefix>.>`, publishes awaited on their
 * PubAck with `Nats-Msg-Id` dedup, each key on one of a topic's ordered lanes, durable pull
 * consumers per (group, lane) owned by one member at a time through KV leases.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  ClosedError,
  type MessageHandler,
  type SubscribeRequest,
  type Subscription,
  type Transport,
  TransportError,
  type TransportFeatures,
  type TransportMessage,
} from '@tidings/core';
import { redactUrl } from '@tidings/core/spi';
import { type LeaseBucket, openLeaseBucket } from './lease-bucket.ts';
import { type NatsTransportOptions, type ResolvedNatsOptions, resolveNatsOptions } from './options.ts';
import { createPubAcks } from './pub-acks.ts';
import { publishAll } from './publish.ts';
import { ensureStream } from './stream.ts';
import { openSubscription } from './subscription.ts';
import { natsTelemetry } from './telemetry.ts';

/** What JetStream gives and what it does not; see the README for the reasoning. */
export const natsFeatures: TransportFeatures = Object.freeze({
  // Each key travels on one lane, each lane is owned by one member of a group at a time, and
  // a rejected message is retried in place; a new owner replays from the lane's ack floor.
  orderingByKey: true,
  // JetStream has no dead-letter destination: the consumer pipeline's sink publishes them.
  nativeDeadLetter: false,
  nativeDedup: true,
  delayedRedelivery: true,
  redeliversUnacked: true,
  replaysHistory: true,
});

export interface NatsTransport extends Transport {
  /** The underlying connection, e.g. to inspect the stream in tests. */
  readonly connection: NatsConnection;
}

function connectError(servers: readonly string[], error: unknown): TransportError {
  return new TransportError(
    `Cannot connect to NATS at ${servers.map(redactUrl).join(', ')}: ${(error as Error).message}. Check the server is running and the URL.`,
    // An invalid URL's TypeError carries the URL, password included, as `input`: keep its message only.
    {
      cause:
        (error as { code?: unknown }).code === 'ERR_INVALID_URL'
          ? new Error((error as Error).message)
          : error,
    },
  );
}

/**
 * Connects to NATS, makes sure the stream and the lane-lease bucket exist, then returns the
 * transport: a wrong URL or a server without JetStream fails here, with a redacted error.
 *
 * @example
 * const transport = await createNatsTransport({ connection: 'nats://127.0.0.1:4222', stream: 'SHOP' });
 * await transport.publish([{ id, topic: 'order.placed', key: orderId, headers, body }]);
 * const subscription = await transport.subscribe({ group: 'mailer', topics: ['order.placed'] }, async (m) => {
 *   await sendMail(m.body);
 * });
 * await transport.close();
 */
export async function createNatsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const resolved = resolveNatsOptions(options);
  const given = typeof options.connection === 'object' ? options.connection : undefined;
  let nc: NatsConnection;
  try {
    // noAsyncTraces: nats.js otherwise builds a RequestError and a TimeoutError, each with
    // a captured stack, for every request, so every JetStream publish: a quarter of a
    // relay's CPU on NATS. Our errors say what failed without nats.js's async stack.
    nc =
      given ??
      (await connect({ servers: [...resolved.servers], maxReconnectAttempts: -1, noAsyncTraces: true }));
  } catch (error) {
    throw connectError(resolved.servers, error);
  }
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, resolved);
    const leases = await openLeaseBucket(jsm, jetstream(nc), resolved.stream, resolved.leaseTtlMs);
    return buildTransport(nc, given === undefined, jsm, leases, resolved);
  } catch (error) {
    if (given === undefined) await nc.close();
    throw error;
  }
}

function buildTransport(
  nc: NatsConnection,
  owned: boolean,
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  leases: LeaseBucket,
  resolved: ResolvedNatsOptions,
): NatsTransport {
  const js = jetstream(nc);
  // Once the connection is closed for good (closed by its owner, or a crash in tests) every
  // loop fails the same way until close(): say so once.
  let reportedClosed = false;
  const options: ResolvedNatsOptions = {
    ...resolved,
    onError(error) {
      if (nc.isClosed()) {
        if (reportedClosed) return;
        reportedClosed = true;
      }
      resolved.onError(error);
    },
  };
  // The stream's ack within the JetStream client's default request timeout.
  const acks = createPubAcks(nc, { timeoutMs: 5_000 });
  const publishTarget = {
    js,
    acks,
    prefix: options.prefix,
    maxInFlight: options.maxPublishesInFlight,
    partitions: options.partitions,
    // The server announces its limit on connect; 1 MiB is the NATS default.
    get maxPayload() {
      return nc.info?.max_payload ?? 1024 * 1024;
    },
  };
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  const assertOpen = (what: string): void => {
    if (closing)
      throw new ClosedError(`Cannot ${what}: the NATS transport was closed. Create a new transport.`);
  };

  return {
    name: options.name,
    features: natsFeatures,
    telemetry: natsTelemetry(options.prefix, () => nc.getServer()),
    connection: nc,
    async publish(messages: readonly TransportMessage[]) {
      assertOpen('publish');
      await publishAll(publishTarget, messages);
    },
    async subscribe(request: SubscribeRequest, handler: MessageHandler, subscribeOptions = {}) {
      assertOpen('subscribe');
      const { signal } = subscribeOptions;
      signal?.throwIfAborted();
      let subscription: Subscription | undefined;
      const context = { nc, js, jsm, options, leases, maxPayload: () => publishTarget.maxPayload };
      subscription = await openSubscription(context, request, handler, () => {
        if (subscription) subscriptions.delete(subscription);
      });
      subscriptions.add(subscription);
      const current = subscription;
      signal?.addEventListener('abort', () => void current.close(), { once: true });
      if (signal?.aborted) await current.close();
      return current;
    },
    close() {
      closing ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.close()));
        // Publishes in flight get their acks (or time out) before the inbox goes away.
        await acks.close();
        if (owned && !nc.isClosed()) await nc.drain();
      })();
      return closing;
    },
  };
}
