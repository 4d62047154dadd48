/**
 * A PostgreSQL restart must never kill a process of ours: when the server ends the backend
 * of a checked-out client between two queries, the transaction fails as a StoreError (which
 * the relay retries) and the next transaction runs on a fresh connection. The store runs in
 * a child process, so a crash is seen as its exit code rather than taking vitest down.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseUrl, dropSchema, uniqueSchema } from '../test/fresh-schema.ts';

const child = new URL('../test/lose-connection.ts', import.meta.url).pathname;

function run(schema: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process_ = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', child, databaseUrl, schema],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  process_.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  process_.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => process_.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('a lost connection during a transaction', () => {
  const schemas: string[] = [];
  afterEach(async () => {
    await Promise.all(schemas.splice(0).map(dropSchema));
  });

  it('rejects that transaction with a StoreError and keeps the process alive', async () => {
    const schema = uniqueSchema();
    schemas.push(schema);
    const result = await run(schema);
    expect(result.stderr).not.toMatch(/Unhandled|terminating connection/);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ first: 'TIDINGS_STORE', second: 1 });
  });
});
