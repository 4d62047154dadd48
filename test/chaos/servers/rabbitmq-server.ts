/**
 * A second RabbitMQ node of the chaos run's own (`chaos<id>@localhost`, free AMQP and
 * distribution ports, its own mnesia, log, cookie, config and plugin files in the run
 * directory), started detached and stopped with `rabbitmqctl shutdown`, which waits for
 * the node's process to end. The system node's settings (/etc/rabbitmq) are not read.
 * Quorum queues live in mnesia, so a restart keeps every queued message.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitForPort } from './child-server.ts';
import type { PrivateServer } from './private-server.ts';

const run = promisify(execFile);
const bin = '/usr/lib/rabbitmq/bin';

export async function startRabbitMq(runDir: string, id: string): Promise<PrivateServer> {
  const dir = join(runDir, 'rabbitmq');
  mkdirSync(dir);
  const [port, distPort] = [await freePort(), await freePort()];
  const node = `chaos${id}@localhost`;
  writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'env.conf'), '');
  const env = {
    ...process.env,
    HOME: dir, // its own Erlang cookie
    RABBITMQ_CONF_ENV_FILE: join(dir, 'env.conf'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const ctl = (...args: string[]) => run(`${bin}/rabbitmqctl`, ['-n', node, ...args], { env });
  const start = async () => {
    await run(`${bin}/rabbitmq-server`, ['-detached'], { env, cwd: dir });
    // `wait` waits for the node's pid file, then for the node to boot (await_startup fails
    // while the node has not registered with epmd yet).
    await ctl('wait', join(dir, 'mnesia', `${node}.pid`), '--timeout', '120');
    await waitForPort(port);
  };
  await start();
  let running = true;
  return {
    name: 'rabbitmq',
    env: { RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` },
    async restart() {
      await ctl('shutdown');
      await start();
    },
    async stop() {
      if (!running) return;
      running = false;
      await ctl('shutdown').catch(() => undefined);
    },
  };
}
