/**
 * `npm run chaos [-- --events N --kills K --broker redis|nats]`: real processes against the
 * real servers. One producer appends N events over N/100 subjects (single events and
 * batches) to a PostgreSQL outbox; two relays publish them to the broker; two competing consumers
 * apply each event's effect in the same PostgreSQL transaction as its inbox record. Relays
 * and consumers are SIGKILLed at random (K kills of each kind) and restarted. At the end it
 * prints appended, lost, duplicate effects, per-subject order violations, dead letters,
 * drain time and unexpected exits, and exits non-zero on any loss, duplicate, unexpected
 * exit, or order violation on a transport that declares order.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { waitUntil } from '@tidings/testing';
import pg from 'pg';
import { openCrashDb } from '../crash/crash-db.ts';
import { brokerNamed } from './brokers.ts';

const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at < 0 ? fallback : Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer; got ${process.argv[at + 1]}`);
  return value;
};
const events = flag('events', 20_000);
const kills = flag('kills', 6);
const subjects = Math.max(10, Math.floor(events / 100));
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const brokerAt = process.argv.indexOf('--broker');
const brokerName = brokerAt < 0 ? 'redis' : (process.argv[brokerAt + 1] ?? '');
const broker = brokerNamed(brokerName);
const id = randomBytes(4).toString('hex');
const brokerArgs = [brokerName, id];
const schemas = { outbox: `chaos_out_${id}`, inbox: `chaos_in_${id}` };
const target = (schema: string) => {
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
};
const worker = new URL('./worker.ts', import.meta.url).pathname;

const unexpectedExits: string[] = [];
let deadLetters = 0;
const live = new Set<ChildProcess>();

function start(role: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', worker, role, ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  live.add(child);
  child.once('exit', (code, signal) => {
    live.delete(child);
    if (!(role === 'producer' && code === 0)) unexpectedExits.push(`${role} exited with ${signal ?? code}`);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') resolve(child);
        else if (line.startsWith('dead ')) deadLetters += 1;
      }
    });
    if (role === 'producer') resolve(child);
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    live.delete(child);
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** True once `check` holds, false when `timeoutMs` passed first. */
function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  return waitUntil(check, 'the chaos run', timeoutMs).then(
    () => true,
    () => false,
  );
}

const outboxDb = await openCrashDb(target(schemas.outbox));
const inboxDb = await openCrashDb(target(schemas.inbox));
await outboxDb.store.stats(); // migrates, so the workers do not race to
await inboxDb.store.stats();
const appended = async () =>
  (await outboxDb.store.stats()).reduce((n, s) => n + s.pending + s.done + s.dead, 0);
const started = Date.now();
try {
  const relays = [
    await start('relay', [target(schemas.outbox), ...brokerArgs]),
    await start('relay', [target(schemas.outbox), ...brokerArgs]),
  ];
  const consumers = [
    await start('consumer', [target(schemas.inbox), ...brokerArgs]),
    await start('consumer', [target(schemas.inbox), ...brokerArgs]),
  ];
  const producer = await start('producer', [target(schemas.outbox), String(events), String(subjects)]);
  const produced = new Promise<void>((resolve) => producer.once('exit', () => resolve()));
  const plan = [...Array<string>(kills).fill('relay'), ...Array<string>(kills).fill('consumer')].sort(
    () => Math.random() - 0.5,
  );
  for (const role of plan) {
    const before = (await inboxDb.summary()).effects;
    const step = Math.ceil(events / (plan.length * 2));
    await until(async () => (await inboxDb.summary()).effects >= Math.min(events, before + step), 60_000);
    const pool = role === 'relay' ? relays : consumers;
    const at = Math.floor(Math.random() * pool.length);
    await kill(pool[at] as ChildProcess);
    pool[at] = await start(role, [target(role === 'relay' ? schemas.outbox : schemas.inbox), ...brokerArgs]);
  }
  await produced;
  const producedAt = Date.now();
  const total = await appended();
  const drained = await until(async () => (await inboxDb.summary()).distinct >= total, 120_000);
  const drainMs = Date.now() - producedAt;
  const summary = await inboxDb.summary();
  const ordered = broker.features.orderingByKey;
  const figures = {
    transport: brokerName,
    appended: total,
    subjects,
    relayKills: kills,
    consumerKills: kills,
    lost: total - summary.distinct,
    duplicateEffects: summary.effects - summary.distinct,
    orderViolations: summary.outOfOrder,
    transportDeclaresOrder: ordered,
    deadLetters,
    drainMs: drained ? drainMs : `not drained after ${drainMs} ms`,
    totalMs: Date.now() - started,
    unexpectedExits,
  };
  console.log(JSON.stringify(figures, null, 2));
  const failed =
    figures.lost > 0 ||
    figures.duplicateEffects > 0 ||
    unexpectedExits.length > 0 ||
    (ordered && figures.orderViolations > 0);
  process.exitCode = failed ? 1 : 0;
} finally {
  await Promise.all([...live].map(kill));
  await outboxDb.close();
  await inboxDb.close();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    `DROP SCHEMA IF EXISTS "${schemas.outbox}" CASCADE; DROP SCHEMA IF EXISTS "${schemas.inbox}" CASCADE`,
  );
  await client.end();
  await broker.cleanUp(id);
}
