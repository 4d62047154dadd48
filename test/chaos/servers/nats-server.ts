/**
 * A NATS server with JetStream of the chaos run's own, on a free port with its own store
 * directory (`-sd`), so a restart keeps streams, consumers and their acks.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { childServer, freePort } from './child-server.ts';
import type { PrivateServer } from './private-server.ts';

export async function startNats(runDir: string): Promise<PrivateServer> {
  const dir = join(runDir, 'nats');
  mkdirSync(dir);
  const port = await freePort();
  const server = childServer('nats', runDir, port, () => ({
    file: 'nats-server',
    args: ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
  }));
  await server.start();
  return {
    name: 'nats',
    env: { NATS_URL: `nats://127.0.0.1:${port}` },
    async restart() {
      await server.stop();
      await server.start();
    },
    stop: () => server.stop(),
  };
}
