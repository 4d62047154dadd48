/**
 * `npm run start:services`: the shop split in two processes connected by a broker
 * (BROKER=rabbitmq|nats|redis|kafka|sqs, default rabbitmq). Starts the notifications
 * service, then the orders service, and waits for the story's outcome. For kafka and sqs,
 * when no address is given, it starts the local protocol peers the tests use. When it ends
 * (done, failed or Ctrl-C) it removes what the run made on the shared servers and its
 * temporary folder; SHOP_KEEP=1 keeps them to look at.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerName } from './broker.ts';
import { removeRunState } from './broker-cleanup.ts';

const broker = brokerName();
const env: Record<string, string> = { ...(process.env as Record<string, string>), BROKER: broker };
env.SHOP_STREAM ??= `shop${Date.now().toString(36)}`;
const peers: { close(): Promise<void> }[] = [];
if (broker === 'kafka' && !env.KAFKA_BROKERS) {
  const { startMockKafka } = await import('../../../../packages/kafka/test/mock-kafka.ts');
  const cluster = await startMockKafka({ brokers: 3 });
  peers.push(cluster);
  env.KAFKA_BROKERS = cluster.brokers.join(',');
}
if (broker === 'sqs' && !env.AWS_ENDPOINT_URL) {
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  peers.push({ close: () => server.stop() });
  env.AWS_ENDPOINT_URL = `http://127.0.0.1:${server.port}`;
}
const ownDir = env.SHOP_DATA_DIR === undefined;
const dir = env.SHOP_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'shop-services-'));
const children: ChildProcess[] = [];

let cleaned: Promise<void> | undefined;
/** Stops the services and peers and removes the run's state; safe to call more than once. */
function cleanUp(): Promise<void> {
  cleaned ??= (async () => {
    // A service still running could declare again what is about to be removed.
    const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
    await Promise.all(running.map((child) => new Promise((resolve) => child.once('exit', resolve).kill())));
    if (env.SHOP_KEEP === '1') {
      console.log(`[services] kept this run's state (SHOP_STREAM=${env.SHOP_STREAM}, data in ${dir})`);
    } else {
      await removeRunState(broker, env).catch((error: unknown) =>
        console.error(`[services] could not remove this run's state on ${broker}: ${String(error)}`),
      );
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    }
    for (const peer of peers) await peer.close();
  })();
  return cleaned;
}
console.log(`[services] ${broker}, SHOP_STREAM=${env.SHOP_STREAM}, data in ${dir}`);
process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));

function service(file: string, name: string, args: string[] = []): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', new URL(file, import.meta.url).pathname, ...args],
    {
      env: {
        ...env,
        SHOP_DB: join(dir, `${name}.db`),
        SHOP_SCHEMA: `${env.SHOP_STREAM}_${name}`,
        SHOP_MAIL_DIR: join(dir, 'mail'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return child;
}

function exited(child: ChildProcess, name: string): Promise<void> {
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited with ${code}`)))),
  );
}

const timeout = setTimeout(() => {
  console.error('The story did not finish within 120 s.');
  void cleanUp().finally(() => process.exit(1));
}, 120_000);
try {
  const notifications = service('./notifications-service.ts', 'notifications', ['--once']);
  const notificationsDone = exited(notifications, 'the notifications service');
  await new Promise<void>((resolve, reject) => {
    notifications.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      if (text.includes('ready')) resolve();
      process.stdout.write(text.replace('ready\n', ''));
    });
    notificationsDone.catch(reject);
  });
  const orders = service('./orders-service.ts', 'orders');
  orders.stdout?.pipe(process.stdout);
  await Promise.all([exited(orders, 'the orders service'), notificationsDone]);
} finally {
  clearTimeout(timeout);
  await cleanUp();
}
