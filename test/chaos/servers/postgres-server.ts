/**
 * A PostgreSQL 15 cluster of the chaos run's own (`initdb` into the run directory, `pg_ctl`
 * on a free port), so restarting it mid-run breaks no one else's tests. As root, the
 * cluster belongs to the `postgres` user, as PostgreSQL requires. A restart is
 * `pg_ctl stop -m fast`: every backend is ended with "terminating connection due to
 * administrator command", the fault issue 14 found killing our processes.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './child-server.ts';
import type { PrivateServer } from './private-server.ts';

function binDir(): string {
  for (const version of ['17', '16', '15', '14']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return ''; // on PATH
}

export async function startPostgres(runDir: string): Promise<PrivateServer> {
  const bin = binDir();
  const tool = (name: string) => (bin ? join(bin, name) : name);
  const asRoot = process.getuid?.() === 0;
  const run = (name: string, args: string[]) => {
    const [file, all] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', tool(name), ...args]]
      : [tool(name), args];
    execFileSync(file as string, all as string[], { stdio: ['ignore', 'ignore', 'pipe'], cwd: '/tmp' });
  };
  const data = join(runDir, 'pg');
  mkdirSync(data, { mode: 0o700 });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(data, uid, gid);
  }
  run('initdb', ['-D', data, '--auth=trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  // fsync off: the run restarts the server cleanly (a fast shutdown writes a checkpoint),
  // it never crashes the machine, so durability of committed work is unaffected.
  const options = `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off`;
  const start = () =>
    run('pg_ctl', ['-D', data, '-l', join(data, 'server.log'), '-o', options, '-w', 'start']);
  const stop = () => run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  return {
    name: 'postgres',
    env: { CHAOS_DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres` },
    async restart() {
      stop();
      start();
    },
    async stop() {
      if (existsSync(join(data, 'postmaster.pid'))) stop();
    },
  };
}
