import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type AnyDomainEvent, receivedDeadLetterIdOf } from '@tidings/core';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createSqliteOutboxStore, type SqliteOutboxStore } from '@tidings/sqlite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivedDeadLetter } from '../fixtures/received-dead-letter.ts';
import { OrderPlaced, type ShopStory, sendEmail, writeShopStory } from '../fixtures/shop-story.ts';
import { runCli } from './run-cli.ts';
import { captureIo } from './test-io.ts';

const launcher = fileURLToPath(new URL('../../bin/tidings.js', import.meta.url));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('tidings CLI against a SQLite store', () => {
  let dir: string;
  let file: string;
  let store: SqliteOutboxStore;
  let story: ShopStory;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-cli-'));
    file = join(dir, 'shop.db');
    store = createSqliteOutboxStore({ filename: file });
    story = await writeShopStory(store);
  });
  afterAll(async () => {
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const run = async (...argv: string[]) => {
    const io = captureIo({ cwd: dir });
    const code = await runCli(argv, io);
    return { code, ...io.written };
  };

  it('prints the audit log as JSON lines, filtered', async () => {
    const all = await run('events', '--db', 'shop.db', '--json');
    expect(all.code).toBe(0);
    const ids = all.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { event: AnyDomainEvent }).event.id);
    expect(ids).toEqual([story.placed.id, story.bounced.id, story.emailed.id, story.filed.id]);
    const latest = await run('events', '--db', file, '--json', '--limit', '1', '--subject', 'Order:o-1001');
    expect(latest.stdout.trim().split('\n')).toHaveLength(1);
    expect(latest.stdout).toContain(story.emailed.id);
    const text = await run('events', '--db', file, '--type', 'shop.EmailSent');
    expect(text.stdout).toContain(`shop.EmailSent  Order:o-1001  ${story.emailed.id}`);
  });

  it('reports the backlog per consumer', async () => {
    const { code, stdout } = await run('outbox', '--db', file, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { pending: number; consumers: { consumer: string; dead: number }[] };
    expect(report.pending).toBe(0);
    expect(report.consumers.find((c) => c.consumer === sendEmail)?.dead).toBe(1);
    expect((await run('outbox', '--db', file)).stdout).toMatch(
      /Backlog 0 pending, caught up\nconsumer\s+pending\s+done\s+retrying\s+dead/,
    );
  });

  it('lists dead letters with the reason and redrives one', async () => {
    const listed = await run('dead-letters', '--db', file);
    expect(listed.stdout).toContain(
      `send-order-confirmation on shop.OrderPlaced Order:o-1003 ${story.bounced.id}`,
    );
    expect(listed.stdout).toContain(story.deadError);

    const wrong = await run('dead-letters', 'redrive', story.bounced.id, 'nobody', '--db', file);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('No dead letter for event');

    const redriven = await run(
      'dead-letters',
      'redrive',
      story.bounced.id,
      sendEmail,
      '--db',
      file,
      '--json',
    );
    expect(redriven).toMatchObject({ code: 0, stdout: '{"redriven":1}\n' });
    expect(await store.deadLetters()).toEqual([]);
    expect((await run('dead-letters', 'redrive', '--all', '--db', file, '--json')).stdout).toBe(
      '{"redriven":0,"requested":0}\n',
    );
  });

  it("lists the consumer's received dead letters beside the outbox's, and requests their redrive", async () => {
    const letter = receivedDeadLetter();
    await store.receivedDeadLetters.put(letter);
    const id = receivedDeadLetterIdOf(letter.handler, letter.messageId);
    const listed = await run('dead-letters', '--db', file);
    expect(listed.stdout).toContain(
      `received update-dashboard on shop.OrderPlaced Order:o-77 ${id} · TIDINGS_DO_NOT_RETRY · 3 attempt(s) · first 2026-01-01 10:00:00.000 UTC · last 2026-01-01 10:05:00.000 UTC`,
    );
    expect(listed.stdout).toContain('    dashboard database is read-only');
    expect(listed.stdout).toContain('1 dead letter(s): 0 outbox, 1 received.');
    const json = JSON.parse((await run('dead-letters', '--db', file, '--json')).stdout) as {
      receivedDeadLetters: { id: string; kind: string; bodyBytes: number }[];
    };
    expect(json.receivedDeadLetters).toMatchObject([{ id, kind: 'received', bodyBytes: 4 }]);

    const unknown = await run('redrive', 'nope', '--db', file);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No received dead letter with id nope');
    const requested = await run('redrive', id, '--db', file);
    expect(requested.code).toBe(0);
    expect(requested.stdout).toContain(`Requested the redrive of ${id} (update-dashboard)`);
    expect((await store.receivedDeadLetters.get(id))?.status).toBe('redrive-requested');
    expect((await run('dead-letters', '--db', file)).stdout).toContain('(redrive requested)');
    expect((await run('redrive', id, '--db', file)).stdout).toContain('already waiting for its redrive');
  });

  it('follows new events until Ctrl-C', async () => {
    const controller = new AbortController();
    const io = captureIo({ cwd: dir, signal: controller.signal });
    const later = OrderPlaced.create({ orderId: 'o-2000', email: 'x@example.com', totalCents: 1 });
    const following = runCli(['events', '--db', file, '--json', '--follow', '--limit', '1'], io);
    // Append only once the first page is out, so the new event must come from following.
    await waitFor(() => io.written.stdout.includes(story.filed.id));
    await store.transaction((tx) => store.append(tx, [{ event: later, consumers: [] }]));
    await waitFor(() => io.written.stdout.includes(later.id));
    controller.abort();
    expect(await following).toBe(0);
    expect(io.written.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('says it is waiting when following, and exits 0 on a SIGINT sent to the launcher alone', async () => {
    const child = spawn(process.execPath, [launcher, 'events', '--db', file, '--follow'], {
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await waitFor(() => stderr.includes('waiting for new events'), 30_000);
    expect(stderr).toBe('Following: waiting for new events… (Ctrl-C to stop)\n');
    expect(stdout).toContain(story.filed.id);
    // Not to the process group, as a terminal would: a supervisor signals the launcher only.
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('prints times as the page does: UTC, with the zone', async () => {
    const lost = OrderPlaced.create({ orderId: 'o-3000', email: 'z@example.com', totalCents: 1 });
    await store.transaction((tx) => store.append(tx, [{ event: lost, consumers: ['time-check'] }]));
    const [delivery] = await store.claim({
      consumers: ['time-check'],
      limit: 1,
      leaseMs: 60_000,
      owner: 't',
    });
    await store.settle([
      { eventId: lost.id, consumer: 'time-check', owner: 't', outcome: 'dead', error: 'gone' },
    ]);
    expect(delivery?.event.id).toBe(lost.id);
    const { stdout } = await run('dead-letters', '--db', file);
    expect(stdout).toMatch(/ \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC\n/);
    const events = await run('events', '--db', file);
    expect(events.stdout.split('\n')[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC {2}shop\.OrderPlaced/,
    );
  });

  it('runs through the bin launcher from any directory, with exit code 2 on a bad --db', async () => {
    const exec = promisify(execFile);
    const ok = await exec(process.execPath, [launcher, 'outbox', '--json', '--db', file], { cwd: tmpdir() });
    expect(JSON.parse(ok.stdout)).toMatchObject({ pending: expect.any(Number) });
    const failed = await exec(process.execPath, [launcher, 'events', '--db', join(dir, 'nope.db')], {
      cwd: tmpdir(),
    }).catch((error: { code: number; stderr: string }) => error);
    expect('code' in failed && failed.code).toBe(2);
    expect(failed.stderr.trim().split('\n')).toEqual([expect.stringContaining('No SQLite database at')]);
  });
});

describe('tidings CLI against a PostgreSQL store', () => {
  const schema = `t_inspector_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('reads events and dead letters through a postgres:// URL', async () => {
    const store = createPostgresOutboxStore({ connectionString: databaseUrl, schema, notify: false });
    let story: ShopStory;
    try {
      story = await writeShopStory(store);
    } finally {
      await store.close();
    }
    const io = captureIo({ env: { DATABASE_URL: databaseUrl } });
    expect(await runCli(['dead-letters', '--schema', schema, '--json'], io)).toBe(0);
    const { deadLetters } = JSON.parse(io.written.stdout) as { deadLetters: { eventId: string }[] };
    expect(deadLetters.map((d) => d.eventId)).toEqual([story.bounced.id]);
  });

  it('says which server it could not reach', async () => {
    const io = captureIo();
    expect(await runCli(['outbox', '--db', 'postgres://postgres:pw@127.0.0.1:1/test'], io)).toBe(2);
    expect(io.written.stderr).toMatch(
      /^error: Cannot open the store at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
    );
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
