/**
 * End to end per broker: the orders service's outbox → relay → broker → the
 * notifications service's consumer → handlers with the inbox. A poison message and a
 * bouncing address end as dead letters with their reasons, and the consumer keeps going.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { groupNames } from '@tidings/rabbitmq';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { brokers } from './broker.ts';

const run = promisify(execFile);
const script = new URL('./two-services.ts', import.meta.url).pathname;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Quorum queues are heavy on a small shared broker: remove what the run declared. */
async function deleteRabbitQueues(stream: string) {
  const connection = await amqp.connect(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
  const channel = await connection.createChannel();
  for (const handler of ['send-order-confirmation', 'update-analytics-dashboard']) {
    const names = groupNames('shop', `${stream}.${handler}`);
    await channel.deleteQueue(names.queue);
    await channel.deleteQueue(names.deadQueue);
  }
  await connection.close();
}

describe('the shop as two services over a broker', () => {
  it.each(brokers)(
    'BROKER=%s',
    async (broker) => {
      const stream = `shoptest${Date.now().toString(36)}`;
      if (broker === 'rabbitmq') cleanups.push(() => deleteRabbitQueues(stream));
      const { stdout } = await run(
        process.execPath,
        ['--conditions=@tidings/source', '--import', 'tsx', script],
        {
          env: { ...process.env, BROKER: broker, NO_COLOR: '1', DATABASE_URL: '', SHOP_STREAM: stream },
          timeout: 170_000,
        },
      );
      expect(stdout).toContain('gave up on message poison-1 after 1 attempt(s): TIDINGS_DECODE');
      expect(stdout).toContain('send-order-confirmation handled OrderPlaced o-1002 (attempt 2)');
      expect(stdout).toContain(
        `notifications: 2 e-mails sent, 3 dead letter(s), dashboard orders=3 revenue=$346.00 registrations=3 (via ${broker})`,
      );
    },
    180_000,
  );
});
