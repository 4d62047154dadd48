/**
 * The runner's worker processes: started with the private servers' environment, stderr
 * appended to the run's log, `ready` and `dead` lines read from stdout. Every exit the
 * runner did not cause (a SIGKILL it sent) is recorded as unexpected; the producer's exit 0
 * is expected.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import type { TransportFeatures } from '@tidings/core';

const worker = new URL('./worker.ts', import.meta.url).pathname;

export interface Workers {
  start(role: string, args: string[]): Promise<ChildProcess>;
  kill(child: ChildProcess): Promise<void>;
  killAll(): Promise<void>;
  readonly unexpectedExits: string[];
  readonly deadLetters: string[];
  /** What the consumers' transport declared, once one is ready. */
  features: TransportFeatures | undefined;
}

export function workers(env: Readonly<Record<string, string>>, log: WriteStream): Workers {
  const live = new Set<ChildProcess>();
  const state: Workers = {
    unexpectedExits: [],
    deadLetters: [],
    features: undefined,
    start(role, args) {
      const child = spawn(
        process.execPath,
        ['--conditions=@tidings/source', '--import', 'tsx', worker, role, ...args],
        {
          stdio: ['pipe', 'pipe', 'pipe'],
          env: { ...process.env, ...env },
        },
      );
      live.add(child);
      child.stderr?.pipe(log, { end: false });
      child.once('exit', (code, signal) => {
        live.delete(child);
        if (!(role === 'producer' && code === 0)) {
          state.unexpectedExits.push(`${role} ${child.pid} exited with ${signal ?? code}`);
        }
      });
      return new Promise((resolve, reject) => {
        child.once('error', reject);
        let buffered = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) {
            if (line.startsWith('ready')) {
              if (line.length > 6) state.features = JSON.parse(line.slice(6)) as TransportFeatures;
              resolve(child);
            } else if (line.startsWith('dead ')) state.deadLetters.push(line.slice(5));
          }
        });
        if (role === 'producer') resolve(child);
      });
    },
    kill(child) {
      return new Promise((resolve) => {
        child.removeAllListeners('exit');
        live.delete(child);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
    killAll: () => Promise.all([...live].map((c) => state.kill(c))).then(() => undefined),
  };
  return state;
}
