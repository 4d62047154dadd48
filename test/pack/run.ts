/**
 * Runs a command of the pack test and collects its output. A failure throws with the command,
 * its exit code and the tail of its output, so the pack test's report says what broke.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number | null;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Resolve with the exit code instead of throwing when the command fails. */
  readonly allowFailure?: boolean;
}

/**
 * The environment of a user's shell: without the variables npm sets for the workspace's own
 * scripts (npm_config_local_prefix would point a nested `npm install` back at the workspace)
 * and without NODE_OPTIONS, which could carry the workspace's source condition or tsx.
 */
export function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key) && key !== 'NODE_OPTIONS' && key !== 'INIT_CWD') env[key] = value;
  }
  return env;
}

function tail(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-30).join('\n');
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? userEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 || options.allowFailure) return resolve({ stdout, stderr, code });
      const status = code === null ? `signal ${signal}` : `exit code ${code}`;
      reject(
        new Error(
          `\`${command} ${args.join(' ')}\` in ${options.cwd} failed (${status}):\n${tail(`${stdout}\n${stderr}`)}`,
        ),
      );
    });
  });
}
