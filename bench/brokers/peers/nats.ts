/**
 * NATS JetStream session: a stream and subject prefix of its own (file storage, the server
 * default), durable pull consumers with explicit acks, publishes with `Nats-Msg-Id` and many
 * PubAcks outstanding, for Tidings and the raw client alike. The stream is deleted on close.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos, headers as natsHeaders } from '@nats-io/transport-node';
import { createNatsTransport } from '@tidings/nats';
import { inFlight, uniqueId } from '../fixture.ts';
import type { BrokerPeer, BrokerSession, RawSubscription } from '../peer.ts';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** PubAcks awaited at once: the transport's default `maxPublishesInFlight`. */
const publishesInFlight = 256;
/** Messages pulled ahead per consumer, raw and Tidings alike (the consumer's `concurrency`). */
export const natsPull = 64;

async function openSession(): Promise<BrokerSession> {
  const id = uniqueId();
  const stream = `BENCH_${id}`;
  const prefix = `bench_${id}`;
  const rawSubject = `${prefix}.raw`;
  // The same connection options as the transport's own (nats.js's async traces off): the
  // raw anchor would otherwise pay a captured stack per request that the transport does not,
  // and the ratio would credit Tidings with a client setting (docs/benchmarks.md).
  const nc = await connect({ servers, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  // The same settings the transport would create, so it finds the stream and leaves it alone.
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`], duplicate_window: nanos(120_000) });
  const transports: { close(): Promise<void> }[] = [];

  return {
    async createTransport() {
      const transport = await createNatsTransport({ connection: servers, stream, prefix });
      transports.push(transport);
      return transport;
    },
    async rawPublish(messages) {
      await inFlight(messages, publishesInFlight, async (m) => {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(m.headers)) h.set(k, v);
        await js.publish(rawSubject, m.body, { msgID: m.id, headers: h });
      });
    },
    async rawSubscribe(group, onMessage, options): Promise<RawSubscription> {
      const name = `raw-${group}`;
      await jsm.consumers.add(stream, {
        durable_name: name,
        filter_subject: rawSubject,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
      });
      const consumer = await js.consumers.get(stream, name);
      const messages = await consumer.consume({ max_messages: natsPull });
      // Concurrent: at most natsPull handlers at once, each message acked when its handler is done.
      let running = 0;
      let freed: (() => void) | undefined;
      const loop = (async () => {
        for await (const m of messages) {
          const h: Record<string, string> = {};
          for (const k of m.headers?.keys() ?? []) h[k] = m.headers?.get(k) ?? '';
          const handled = onMessage({ headers: h, body: m.data });
          if (!options?.concurrent) {
            if (handled) await handled;
            m.ack();
            continue;
          }
          running++;
          void Promise.resolve(handled).then(() => {
            m.ack();
            running--;
            freed?.();
          });
          while (running >= natsPull) await new Promise<void>((resolve) => (freed = resolve));
        }
      })();
      return {
        async close() {
          await messages.close();
          await loop;
        },
      };
    },
    async createSink() {
      // The stream keeps every subject under the prefix already.
      return { purge: async () => void (await jsm.streams.purge(stream)) };
    },
    async versions() {
      return { 'NATS server': nc.info?.version ?? '?' };
    },
    async close() {
      for (const t of transports) await t.close();
      await jsm.streams.delete(stream);
      await jsm.streams.delete(`KV_${stream}_leases`).catch(() => undefined);
      await nc.close();
    },
  };
}

export const natsPeer: BrokerPeer = {
  id: 'nats',
  label: 'NATS JetStream',
  emulated: false,
  slow: false,
  open: openSession,
};
