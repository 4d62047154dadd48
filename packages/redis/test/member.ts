/**
 * One member of a consumer group in a process of its own, for the SIGKILL test. Its effect
 * per message is an RPUSH of `<member> <key> <id>` to a list, so effects survive the
 * process and their order is the server's. The first delivery of every seventh message
 * fails and asks to be retried 20 ms later. Prints `ready` once subscribed.
 *
 * Usage: member.ts <prefix> <topic> <group> <name>
 */
import { Redis } from 'ioredis';
import { createRedisTransport } from '../src/redis-transport.ts';

const [prefix = '', topic = '', group = '', name = ''] = process.argv.slice(2);
const url = 'redis://127.0.0.1:6379';
const effects = new Redis(url);
const transport = await createRedisTransport({ connection: url, prefix, leaseMs: 1_500, blockMs: 300 });
const decoder = new TextDecoder();

await transport.subscribe({ group, topics: [topic], concurrency: 4 }, async (message) => {
  const { n } = JSON.parse(decoder.decode(message.body)) as { n: number };
  if (n % 7 === 3 && message.deliveryCount === 1) {
    throw Object.assign(new Error('first delivery fails on purpose'), { retryDelayMs: 20 });
  }
  await new Promise((resolve) => setTimeout(resolve, n % 3));
  await effects.rpush(`${prefix}effects`, `${name} ${message.key} ${message.id}`);
});
process.stdout.write('ready\n');
