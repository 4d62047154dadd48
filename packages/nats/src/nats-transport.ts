/**
 * The NATS JetStream transport: one stream over `<prefix>.>`, publishes awaited on their
 * PubAck with `Nats-Msg-Id` dedup, durable pull consumers per group, client-side dead letters.
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
import { type NatsTransportOptions, resolveNatsOptions } from './options.ts';
import { publishAll } from './publish.ts';
import { ensureStream } from './stream.ts';
import { openSubscription } from './subscription.ts';
import { natsTelemetry } from './telemetry.ts';

/** What JetStream gives and what it does not; see the README for the reasoning. */
export const natsFeatures: TransportFeatures = Object.freeze({
  // Members of a group compete for messages and a nak'd message is redelivered after later
  // ones, so one key can be handled out of order; within a member, keys are serialised.
  orderingByKey: false,
  // Exhausted messages are republished by the client to `<prefix>.deadletter.<group>`.
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

/**
 * Connects to NATS and makes sure the stream exists, then returns the transport.
 *
 * @example
 * const transport = await createNatsTransport({ servers: 'nats://127.0.0.1:4222', stream: 'SHOP' });
 * await transport.publish([{ id, topic: 'order.placed', key: orderId, headers, body }]);
 * const subscription = await transport.subscribe({ group: 'mailer', topics: ['order.placed'] }, async (m) => {
 *   await sendMail(m.body);
 * });
 * await transport.close();
 */
export async function createNatsTransport(options: NatsTransportOptions = {}): Promise<NatsTransport> {
  const resolved = resolveNatsOptions(options);
  const owned = options.connection === undefined;
  let nc: NatsConnection;
  try {
    nc =
      options.connection ??
      (await connect({
        servers:
          typeof options.servers === 'string'
            ? options.servers
            : [...(options.servers ?? ['nats://127.0.0.1:4222'])],
        maxReconnectAttempts: -1,
      }));
  } catch (error) {
    throw new TransportError(
      `Cannot connect to NATS at ${[options.servers ?? 'nats://127.0.0.1:4222'].flat().map(redactUrl).join(', ')}: ${(error as Error).message}. Check the server is running and the URL.`,
      // An invalid URL's TypeError carries the URL, password included, as `input`: keep its message only.
      {
        cause:
          (error as { code?: unknown }).code === 'ERR_INVALID_URL'
            ? new Error((error as Error).message)
            : error,
      },
    );
  }
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, resolved);
    return buildTransport(nc, owned, jsm, resolved);
  } catch (error) {
    if (owned) await nc.close();
    throw error;
  }
}

function buildTransport(
  nc: NatsConnection,
  owned: boolean,
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  options: ReturnType<typeof resolveNatsOptions>,
): NatsTransport {
  const js = jetstream(nc);
  const publishTarget = {
    js,
    prefix: options.prefix,
    maxInFlight: options.maxPublishesInFlight,
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
    name: 'nats',
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
      subscription = await openSubscription({ nc, js, jsm, options, publishTarget }, request, handler, () => {
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
        if (owned && !nc.isClosed()) await nc.drain();
      })();
      return closing;
    },
  };
}
