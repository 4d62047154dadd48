/**
 * `node --import tsx test/chaos/servers/stop-leftovers.ts`: ends the servers of chaos runs
 * whose runner was SIGKILLed before it could stop them (it reads the pid files each server
 * left in its run directory under the temp dir) and removes those directories.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDirPrefix } from './private-servers.ts';

function pidFiles(dir: string): string[] {
  const found = readdirSync(dir)
    .filter((f) => f.endsWith('.pid'))
    .map((f) => join(dir, f));
  const pg = join(dir, 'pg', 'postmaster.pid');
  if (existsSync(pg)) found.push(pg);
  const mnesia = join(dir, 'rabbitmq', 'mnesia');
  if (existsSync(mnesia)) found.push(...pidFiles(mnesia));
  return found;
}

for (const name of readdirSync(tmpdir()).filter((n) => n.startsWith(runDirPrefix))) {
  const dir = join(tmpdir(), name);
  for (const file of pidFiles(dir)) {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 'SIGTERM');
      console.log(`stopped ${pid} (${file})`);
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
