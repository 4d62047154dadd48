/**
 * The chaos run: one producer appends the events (single events and batches) to a
 * PostgreSQL or SQLite outbox (the producer and the relays share the SQLite file); several
 * relays publish them to the broker; competing consumers apply each event's effect in the
 * same PostgreSQL transaction as its inbox record. Relays and consumers are SIGKILLed at
 * random points spread over the run and restarted; the broker and PostgreSQL are restarted
 * mid-stream. Every server is the run's own (servers/). Returns the figures.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitUntil } from '@tidings/testing';
import { type CrashDb, openCrashDb } from '../crash/crash-db.ts';
import type { ChaosOptions } from './options.ts';
import { workers } from './processes.ts';
import { startPrivateServers } from './servers/private-servers.ts';

/** True once `check` holds, false when `timeoutMs` passed first; a failing check (a server restarting) counts as not yet. */
function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let stalled = false;
  const guarded = () =>
    check().catch((error: unknown) => {
      if (!(error instanceof StalledError)) return false;
      stalled = true;
      return true;
    });
  return waitUntil(guarded, 'the chaos run', timeoutMs).then(
    () => !stalled,
    () => false,
  );
}

/** Thrown by a check to end its wait as failed now (no progress for too long). */
class StalledError extends Error {}

/**
 * The events that were appended but never took effect (at most ten), with where each of
 * their deliveries stands: what a failed drain needs to be told apart from a slow one.
 */
async function missingEvents(outboxDb: CrashDb, inboxDb: CrashDb): Promise<unknown[]> {
  const applied = await inboxDb.effectIds();
  const found: unknown[] = [];
  let afterPosition = 0;
  for (;;) {
    const page = await outboxDb.store.events({ afterPosition, limit: 1_000 });
    if (page.length === 0) return found;
    for (const { position, event } of page) {
      if (applied.has(event.id)) continue;
      const deliveries = (await outboxDb.store.deliveries(event.id)).map((d) => ({
        consumer: d.consumer,
        status: d.status,
        attempts: d.attempts,
        lastError: d.lastError,
      }));
      found.push({ id: event.id, position, subject: event.subject, deliveries });
      if (found.length === 10) return found;
    }
    afterPosition = page[page.length - 1]?.position ?? afterPosition;
  }
}

export async function chaosRun(o: ChaosOptions) {
  const id = randomBytes(4).toString('hex');
  // Workers are killed before the servers stop, also when the run is interrupted.
  const stopWorkers = { run: async () => {} };
  const servers = await startPrivateServers(o.broker, id, { beforeStop: () => stopWorkers.run() });
  const logFile = join(tmpdir(), `chaos-${id}.log`);
  const log = createWriteStream(logFile);
  const pool = workers(servers.env, log);
  // A server dying on its own ends the run with the figures so far: nothing can drain any
  // more, and waiting for workers that cannot start would hang it.
  let brokerDied: string | undefined;
  const died = new Promise<never>((_resolve, reject) => {
    void servers.broker.died?.then((what) => {
      brokerDied = what;
      const line = `chaos: the ${servers.broker.name} server died during the run (${what}); stopping.\n`;
      process.stderr.write(line);
      log.write(line);
      reject(new Error(line));
    });
  });
  died.catch(() => undefined);
  const unlessDied = <T>(work: Promise<T>): Promise<T> => Promise.race([work, died]);
  stopWorkers.run = () => pool.killAll();
  const databaseUrl = servers.env.CHAOS_DATABASE_URL as string;
  const schema = (name: string) => {
    const url = new URL(databaseUrl);
    url.searchParams.set('schema', name);
    return url.toString();
  };
  const outboxTarget = o.outbox === 'sqlite' ? join(servers.dir, 'outbox.sqlite') : schema('chaos_out');
  const inboxTarget = schema('chaos_in');
  const brokerArgs = [o.broker, id];
  const restarts = { broker: 0, postgres: 0 };
  const skipped: string[] = [];
  let done = 0;
  let drained = false;
  let drainMs = 0;
  let missing: unknown[] | undefined;
  const started = Date.now();
  let figures: (() => Promise<ChaosFigures>) | undefined;
  try {
    const outboxDb = await openCrashDb(outboxTarget);
    const inboxDb = await openCrashDb(inboxTarget);
    await outboxDb.store.stats(); // migrates, so the workers do not race to
    await inboxDb.store.stats();
    const appended = async () =>
      (await outboxDb.store.stats()).reduce((n, s) => n + s.pending + s.done + s.dead, 0);
    figures = async (): Promise<ChaosFigures> => {
      const total = await appended();
      const summary = await inboxDb.summary();
      const ordered = pool.features?.orderingByKey === true;
      await pool.killAll();
      await outboxDb.close();
      await inboxDb.close();
      return {
        outbox: o.outbox,
        transport: o.broker,
        appended: total,
        subjects: o.subjects,
        relays: o.relays,
        consumers: o.consumers,
        relayKills: o.kills,
        consumerKills: o.kills,
        faultsDone: done,
        brokerRestarts: restarts.broker,
        postgresRestarts: restarts.postgres,
        skipped,
        // With the broker gone, what it still held is neither lost by us nor delivered.
        lost:
          brokerDied === undefined
            ? total - summary.distinct
            : `not known: ${summary.distinct} of ${total} applied when the broker died`,
        duplicateEffects: summary.effects - summary.distinct,
        orderViolations: summary.outOfOrder,
        transportDeclaresOrder: ordered,
        deadLetters: pool.deadLetters.length,
        ...(pool.deadLetters.length === 0 ? {} : { deadLetterReasons: pool.deadLetters.slice(0, 5) }),
        drainMs:
          brokerDied !== undefined
            ? 'not drained: the broker died'
            : drained
              ? drainMs
              : `not drained after ${drainMs} ms`,
        totalMs: Date.now() - started,
        unexpectedExits: pool.unexpectedExits,
        ...(missing === undefined ? {} : { missing }),
        ...(brokerDied === undefined ? {} : { brokerDied }),
        workerLog: logFile,
      };
    };
    let lastEffects = 0;
    const effects = async () => {
      lastEffects = await inboxDb
        .summary()
        .then((s) => s.effects)
        .catch(() => lastEffects);
      return lastEffects;
    };
    const many = (n: number, role: string, target: string) =>
      unlessDied(Promise.all(Array.from({ length: n }, () => pool.start(role, [target, ...brokerArgs]))));
    // Consumers first: on brokers that do not replay history (RabbitMQ, SNS/SQS) a group
    // only receives what is published after it subscribed.
    const consumers = await many(o.consumers, 'consumer', inboxTarget);
    const relays = await many(o.relays, 'relay', outboxTarget);
    const producer = await pool.start('producer', [outboxTarget, String(o.events), String(o.subjects)]);
    const produced = new Promise<void>((resolve) => producer.once('exit', () => resolve()));
    if (servers.broker.noRestart && o.restarts > 0)
      skipped.push(`${o.broker} restarts skipped: ${servers.broker.noRestart}`);
    const brokerRestarts = servers.broker.noRestart ? 0 : o.restarts;
    const plan = [
      ...Array<string>(o.kills).fill('relay'),
      ...Array<string>(o.kills).fill('consumer'),
      ...Array<string>(brokerRestarts).fill('broker'),
      ...Array<string>(o.pgRestarts).fill('postgres'),
    ].sort(() => Math.random() - 0.5);
    const step = Math.ceil(o.events / (plan.length + 1));
    const progress = setInterval(() => {
      const line = `chaos ${o.outbox}/${o.broker}: ${lastEffects} of ${o.events} effects, ${done} of ${plan.length} faults, ${Math.round((Date.now() - started) / 1000)} s`;
      process.stderr.write(`${line}\n`);
    }, 30_000);
    progress.unref();
    for (const action of plan) {
      const before = await effects();
      await unlessDied(until(async () => (await effects()) >= Math.min(o.events, before + step), 120_000));
      if (action === 'broker' || action === 'postgres') {
        await unlessDied((action === 'broker' ? servers.broker : servers.postgres).restart());
        restarts[action] += 1;
        done += 1;
        continue;
      }
      const group = action === 'relay' ? relays : consumers;
      const at = Math.floor(Math.random() * group.length);
      await unlessDied(pool.kill(group[at] as ChildProcess));
      group[at] = await unlessDied(
        pool.start(action, [action === 'relay' ? outboxTarget : inboxTarget, ...brokerArgs]),
      );
      done += 1;
    }
    await unlessDied(produced);
    const producedAt = Date.now();
    const total = await appended();
    // The drain may take as long as it keeps moving: it fails when no new effect was
    // applied for `stallLimit` (a stuck event), or at the overall limit.
    const drainLimit = o.scale === 'full' ? 1_800_000 : 300_000;
    const stallLimit = o.scale === 'full' ? 300_000 : 60_000;
    let best = -1;
    let movedAt = Date.now();
    drained = await unlessDied(
      until(async () => {
        const now = await inboxDb.summary();
        lastEffects = now.effects;
        if (now.distinct > best) {
          best = now.distinct;
          movedAt = Date.now();
        }
        if (now.distinct >= total) return true;
        if (Date.now() - movedAt > stallLimit) throw new StalledError();
        return false;
      }, drainLimit),
    );
    drainMs = Date.now() - producedAt;
    clearInterval(progress);
    if (!drained) missing = await missingEvents(outboxDb, inboxDb).catch((e: unknown) => [String(e)]);
    return await figures();
  } catch (error) {
    if (brokerDied === undefined || figures === undefined) throw error;
    return await figures();
  } finally {
    await pool.killAll();
    log.end();
    await servers.stopAll();
  }
}

export interface ChaosFigures {
  readonly outbox: string;
  readonly transport: string;
  readonly appended: number;
  readonly subjects: number;
  readonly relays: number;
  readonly consumers: number;
  readonly relayKills: number;
  readonly consumerKills: number;
  readonly faultsDone: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
  readonly skipped: readonly string[];
  readonly lost: number | string;
  readonly duplicateEffects: number;
  readonly orderViolations: number;
  readonly transportDeclaresOrder: boolean;
  readonly deadLetters: number;
  /** The first five dead letters' reasons, when there are any. */
  readonly deadLetterReasons?: readonly string[];
  readonly drainMs: number | string;
  readonly totalMs: number;
  readonly unexpectedExits: readonly string[];
  /** When the drain failed: up to ten events without an effect, and their deliveries. */
  readonly missing?: readonly unknown[];
  /** Set when the broker died on its own during the run, with how. */
  readonly brokerDied?: string;
  readonly workerLog: string;
}

export function failed(f: ChaosFigures): boolean {
  return (
    f.brokerDied !== undefined ||
    typeof f.lost === 'string' ||
    f.lost > 0 ||
    f.duplicateEffects > 0 ||
    f.unexpectedExits.length > 0 ||
    typeof f.drainMs === 'string' ||
    (f.transportDeclaresOrder && f.orderViolations > 0)
  );
}
