/**
 * fauxqs, the SNS/SQS emulator, as a child of the run (see sqs-peer.ts). It keeps topics,
 * queues and messages in memory only, so a restart would lose every queued message and
 * subscription: restarts are skipped for it, with that reason printed in the figures.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PrivateServer } from './private-server.ts';

const peer = new URL('./sqs-peer.ts', import.meta.url).pathname;

export async function startSqs(): Promise<PrivateServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', peer], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const first = (await lines.next()).value as string | undefined;
  const port = Number(first?.split(' ')[1]);
  if (!port) throw new Error(`fauxqs did not start: ${first}`);
  return {
    name: 'sqs',
    env: { SQS_ENDPOINT: `http://127.0.0.1:${port}` },
    noRestart: 'fauxqs keeps topics, queues and messages in memory only; a restart empties it',
    async restart() {},
    async stop() {
      child.stdin?.end();
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}
