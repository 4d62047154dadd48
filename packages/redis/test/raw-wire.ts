/**
 * A plain ioredis client for the contract's CloudEvents interop scenarios. Redis has no
 * CloudEvents binding; this client writes and reads the documented entry layout as a
 * foreign program would: `body` plus one `h:<header>` field per header (`ce-*` and
 * `content-type` as the HTTP binding names them), no Tidings `id` or `key` fields. It
 * writes to the topic's plain stream `<prefix><topic>` and reads all of the topic's streams
 * (the `partitions` streams `<prefix><topic>:<n>` the transport writes, and the plain one).
 */
import type { RawWire, RawWireMessage } from '@tidings/testing';
import { Redis } from 'ioredis';

export function createRedisRawWire(
  url: string,
  prefix: string,
  partitions = 8,
): RawWire & { close(): Promise<void> } {
  const clients = new Set<Redis>();
  const open = () => {
    const client = new Redis(url, { lazyConnect: false });
    clients.add(client);
    return client;
  };
  let writer: Redis | undefined;
  return {
    binding: 'HTTP',
    async send(topic, message) {
      writer ??= open();
      const fields: (string | Buffer)[] = ['body', Buffer.from(message.body)];
      for (const [name, value] of Object.entries(message.headers)) fields.push(`h:${name}`, value);
      await writer.xadd(`${prefix}${topic}`, '*', ...fields);
    },
    async read(topic) {
      const messages: RawWireMessage[] = [];
      const reader = open();
      let reading = true;
      // The topic is new, so from the start of its streams is "from now on".
      const streams = [
        ...Array.from({ length: partitions }, (_, n) => `${prefix}${topic}:${n}`),
        `${prefix}${topic}`,
      ];
      const last = new Map(streams.map((stream) => [stream, '0-0']));
      const loop = (async () => {
        while (reading) {
          const reply = (await reader
            .xreadBuffer('BLOCK', 200, 'STREAMS', ...streams, ...streams.map((s) => last.get(s) ?? '0-0'))
            .catch(() => null)) as [Buffer, [Buffer, Buffer[]][]][] | null;
          for (const [stream, entries] of reply ?? []) {
            for (const [id, fields] of entries) {
              last.set(stream.toString(), id.toString());
              const headers: Record<string, string> = {};
              let body: Uint8Array = new Uint8Array(0);
              for (let i = 0; i + 1 < fields.length; i += 2) {
                const name = (fields[i] as Buffer).toString();
                const value = fields[i + 1] as Buffer;
                if (name === 'body') body = value;
                else if (name.startsWith('h:')) headers[name.slice(2)] = value.toString();
              }
              messages.push({ headers, body, key: '' });
            }
          }
        }
      })();
      return {
        messages,
        close: async () => {
          reading = false;
          await loop;
          clients.delete(reader);
          await reader.quit();
        },
      };
    },
    async close() {
      await Promise.all([...clients].map((c) => c.quit()));
    },
  };
}
