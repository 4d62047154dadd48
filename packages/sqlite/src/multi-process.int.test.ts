/**
 * Several processes on one file: a relay in a child process and one in the test process
 * claim the same backlog at once, and SQLite's single writer keeps their leases apart.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createTempDir, testEvent } from '../test/temp-store.ts';
import { createSqliteOutboxStore } from './sqlite-store.ts';

const worker = fileURLToPath(new URL('../test/claim-worker.ts', import.meta.url));
const temp = createTempDir();
afterEach(() => temp.remove());

it('a relay in another process and one here never claim the same delivery', async () => {
  const filename = temp.file();
  const store = createSqliteOutboxStore({ filename });
  const events = Array.from({ length: 300 }, (_, i) => testEvent(`thing-${i}`));
  await store.transaction((tx) =>
    store.append(
      tx,
      events.map((event) => ({ event, consumers: ['c'] })),
    ),
  );

  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', worker, filename, 'child'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  expect((await lines.next()).value).toBe('ready');

  const here: string[] = [];
  for (;;) {
    const batch = await store.claim({ consumers: ['c'], limit: 3, leaseMs: 60_000, owner: 'parent' });
    if (batch.length === 0) break;
    here.push(...batch.map((d) => d.event.id));
    await store.settle(
      batch.map((d) => ({ eventId: d.event.id, consumer: d.consumer, owner: 'parent', outcome: 'done' })),
    );
  }
  const there = JSON.parse((await lines.next()).value as string) as string[];
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);

  const all = [...here, ...there];
  expect(new Set(all).size).toBe(all.length);
  expect(new Set(all)).toEqual(new Set(events.map((e) => e.id)));
  expect(await store.stats()).toEqual([
    { consumer: 'c', pending: 0, done: events.length, dead: 0, retrying: 0, oldestPendingAgeMs: 0 },
  ]);
  await store.close();
});
