/**
 * The chaos run at a small scale, inside the test suite: relays and consumers SIGKILLed
 * while events stream from a PostgreSQL outbox through Redis Streams. `npm run chaos`
 * runs the same script at full scale (figures in docs/reliability.md).
 */
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';

const runner = new URL('./run.ts', import.meta.url).pathname;

it('loses nothing and applies no effect twice while relays and consumers are killed', async () => {
  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', runner, '--events', '1500', '--kills', '2'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const figures = JSON.parse(stdout) as Record<string, unknown>;
  expect(figures).toMatchObject({ appended: 1500, lost: 0, duplicateEffects: 0, unexpectedExits: [] });
  expect(code).toBe(0);
}, 240_000);
