/**
 * A server the chaos run owns, run as a child process: started, stopped with a signal and
 * awaited, restarted on the same port and data directory. Its pid is written to the run's
 * directory, so `stop-leftovers.ts` can end it if the runner itself was killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

/** Resolves once something accepts TCP connections on `port`, rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface ChildServer {
  start(): Promise<void>;
  /** SIGTERM (a clean shutdown: Redis writes its AOF, NATS flushes JetStream) and wait. */
  stop(): Promise<void>;
}

export function childServer(
  name: string,
  dir: string,
  port: number,
  command: () => { file: string; args: string[]; env?: NodeJS.ProcessEnv },
): ChildServer {
  let child: ChildProcess | undefined;
  const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
  return {
    async start() {
      const { file, args, env } = command();
      const started = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: env ?? process.env });
      started.stdout?.pipe(log, { end: false });
      started.stderr?.pipe(log, { end: false });
      child = started;
      writeFileSync(join(dir, `${name}.pid`), String(started.pid));
      const exited = new Promise<never>((_, reject) =>
        started.once('exit', (code) => reject(new Error(`${name} exited with ${code} while starting`))),
      );
      await Promise.race([waitForPort(port), exited]);
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      const forced = setTimeout(() => running.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

/** A free loopback TCP port (the OS picks it; nothing else holds it right now). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
