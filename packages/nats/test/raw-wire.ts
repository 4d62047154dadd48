/**
 * A plain NATS client for the contract's CloudEvents interop scenarios, with no Tidings code
 * in between. The NATS binding lays a binary-mode event out as the HTTP one does (`ce-*`
 * headers, `content-type`), so it pairs with the SDK's HTTP binding. It sends to the plain
 * subject, as a foreign producer would, and reads the topic's ordered lanes.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import type { RawWire, RawWireMessage } from '@tidings/testing';
import { topicSubject } from '../src/subjects.ts';

export function createNatsRawWire(servers: string, prefix: string): RawWire & { close(): Promise<void> } {
  let connection: Promise<NatsConnection> | undefined;
  const nc = () => {
    connection ??= connect({ servers });
    return connection;
  };
  return {
    binding: 'HTTP',
    async send(topic, message) {
      const h = natsHeaders();
      for (const [name, value] of Object.entries(message.headers)) h.set(name, value);
      // Into the stream, as any JetStream producer writes (no Nats-Msg-Id: a foreign one need not set it).
      await jetstream(await nc()).publish(topicSubject(prefix, topic), message.body, { headers: h });
    },
    async read(topic) {
      const messages: RawWireMessage[] = [];
      const client = await nc();
      // A core subscription sees every message stored on the topic's lanes from now on.
      const subscription = client.subscribe(`${topicSubject(prefix, topic)}.>`, {
        callback: (error, m) => {
          if (error) return;
          const headers: Record<string, string> = {};
          for (const [name, values] of m.headers ?? []) headers[name] = values[0] ?? '';
          messages.push({ headers, body: m.data, key: '' });
        },
      });
      await client.flush();
      return { messages, close: async () => subscription.unsubscribe() };
    },
    async close() {
      if (connection) await (await connection).close();
    },
  };
}
