/**
 * A Redis of the chaos run's own on a free port, with persistence on (`appendonly yes`,
 * fsync on every write) so a restart keeps every stream entry and consumer group it acked.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { childServer, freePort } from './child-server.ts';
import type { PrivateServer } from './private-server.ts';

export async function startRedis(runDir: string): Promise<PrivateServer> {
  const dir = join(runDir, 'redis');
  mkdirSync(dir);
  const port = await freePort();
  const server = childServer('redis', runDir, port, () => ({
    file: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes'].concat([
      '--appendfsync',
      'always',
      '--save',
      '',
      '--protected-mode',
      'no',
    ]),
  }));
  await server.start();
  return {
    name: 'redis',
    env: { REDIS_URL: `redis://127.0.0.1:${port}` },
    async restart() {
      await server.stop();
      await server.start();
    },
    stop: () => server.stop(),
  };
}
