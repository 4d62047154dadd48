import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// scripts/test-env.sh with every checked place overridden, so both of its paths run here
// without removing anything from the machine and without touching the shared servers.
const script = fileURLToPath(new URL('../scripts/test-env.sh', import.meta.url));
const servers = ['POSTGRES', 'MARIADB', 'RABBITMQ', 'NATS', 'REDIS'];

function runScript(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'bash',
      [script],
      { env: { ...process.env, TIDINGS_ENV_FIX: '0', ...env }, timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    );
  });
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-test-env-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('scripts/test-env.sh', () => {
  it('names everything missing with the command that installs it, and fails', async () => {
    // Port 1 on loopback: nothing listens there, so every server probe is refused at once.
    const ports = Object.fromEntries(servers.map((name) => [`TIDINGS_ENV_PORT_${name}`, '1']));
    const { code, stderr } = await runScript({
      ...ports,
      CHROMIUM_PATH: join(dir, 'no-chromium'),
      PKG_CONFIG_LIBDIR: join(dir, 'no-pkgconfig'),
    });
    expect(code).toBe(1);
    for (const line of [
      'PostgreSQL on 127.0.0.1:1',
      'MariaDB on 127.0.0.1:1',
      'RabbitMQ answering AMQP on 127.0.0.1:1',
      'NATS with JetStream on 127.0.0.1:1',
      'Redis on 127.0.0.1:1',
      'fix: apt-get install -y librdkafka-dev pkg-config gcc',
      `Chromium for the inspector's browser test (${join(dir, 'no-chromium')})`,
      'fix: apt-get install -y chromium',
      'fix: apt-get install -y redis-server && redis-server --daemonize yes',
    ]) {
      expect(stderr).toContain(line);
    }
  });

  describe('when everything answers', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      // Stands in for every server; it answers the AMQP protocol header as RabbitMQ does.
      server = createServer((socket) => socket.once('data', () => socket.end('AMQP\0\0\x09\x01')));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
      await writeFile(join(dir, 'rdkafka.pc'), 'Name: rdkafka\nDescription: stand-in\nVersion: 2.0.2\n');
    });
    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
    });

    it('only reports that all is present, and succeeds', async () => {
      const ports = Object.fromEntries(servers.map((name) => [`TIDINGS_ENV_PORT_${name}`, String(port)]));
      const { code, stdout, stderr } = await runScript({
        ...ports,
        CHROMIUM_PATH: process.execPath,
        PKG_CONFIG_LIBDIR: dir,
      });
      expect(stderr).toBe('');
      expect(stdout).toMatch(
        /^test-env: servers, test databases, chromium and librdkafka-dev present \(\d+ ms\)\n$/,
      );
      expect(code).toBe(0);
    });
  });
});
