/**
 * Starts the servers one chaos run owns, in a run directory of its own: PostgreSQL always
 * (the consumers' inbox, and the outbox unless it is SQLite) and the broker under test.
 * `stopAll` stops them and removes the directory; it also runs on SIGINT / SIGTERM, so a run
 * that is interrupted leaves nothing behind (`stop-leftovers.ts` covers a runner SIGKILL).
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka } from './kafka-server.ts';
import { startNats } from './nats-server.ts';
import { startPostgres } from './postgres-server.ts';
import type { PrivateServer } from './private-server.ts';
import { startRabbitMq } from './rabbitmq-server.ts';
import { startRedis } from './redis-server.ts';
import { startSqs } from './sqs-server.ts';

export const runDirPrefix = 'tidings-chaos-';

/** For runs that need no database (the fuzz run). */
const noPostgres: PrivateServer = {
  name: 'postgres',
  env: {},
  restart: async () => {},
  stop: async () => {},
};

export interface PrivateServers {
  readonly dir: string;
  readonly postgres: PrivateServer;
  readonly broker: PrivateServer;
  readonly env: Readonly<Record<string, string>>;
  stopAll(): Promise<void>;
}

const brokerServers: Record<string, (dir: string, id: string) => Promise<PrivateServer>> = {
  redis: startRedis,
  nats: startNats,
  rabbitmq: startRabbitMq,
  kafka: (_dir, id) => startKafka(id),
  sqs: () => startSqs(),
};

export async function startPrivateServers(
  broker: string,
  id: string,
  options: { postgres?: boolean; beforeStop?: () => Promise<void> } = {},
): Promise<PrivateServers> {
  const startBroker = brokerServers[broker];
  if (!startBroker)
    throw new Error(`--broker ${broker} is not one of ${Object.keys(brokerServers).join(', ')}`);
  const dir = mkdtempSync(join(tmpdir(), runDirPrefix));
  chmodSync(dir, 0o755); // the postgres user must reach its data directory inside
  const started: PrivateServer[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      await options.beforeStop?.().catch(() => undefined);
      for (const server of started.reverse()) await server.stop().catch(() => undefined);
      // Retried: a worker that has not noticed the end yet may still create a file.
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
      } catch (error) {
        process.stderr.write(`could not remove ${dir}: ${String(error)}\n`);
      }
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    void stopAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const postgres = options.postgres === false ? noPostgres : await startPostgres(dir);
    started.push(postgres);
    const brokerServer = await startBroker(dir, id);
    started.push(brokerServer);
    return { dir, postgres, broker: brokerServer, env: { ...postgres.env, ...brokerServer.env }, stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
