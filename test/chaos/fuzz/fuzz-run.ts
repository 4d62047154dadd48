/**
 * `npm run chaos -- --fuzz N --broker X`: N hostile messages (hostile.ts) sent with the
 * broker's raw driver straight at a running consumer process, one valid event (published
 * through the Tidings transport) after every 20. Passes when the consumer never exits,
 * handles every valid event, dead-letters every hostile message exactly once (in its sink,
 * or in the transport's own dead-letter place where the transport refuses it before the
 * consumer sees it), leaves Object.prototype alone, and reports memory start → max → end.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { toTransportMessage } from '@tidings/core';
import { Ticked } from '../../crash/crash-app.ts';
import { openBroker } from '../brokers.ts';
import type { ChaosOptions } from '../options.ts';
import { startPrivateServers } from '../servers/private-servers.ts';
import { hostile, seeded } from './hostile.ts';
import { kafkaSender } from './raw-kafka.ts';
import { natsSender } from './raw-nats.ts';
import { rabbitMqSender } from './raw-rabbitmq.ts';
import { redisSender } from './raw-redis.ts';
import type { RawSender } from './raw-sender.ts';
import { sqsSender } from './raw-sqs.ts';

const senders: Record<string, (runId: string) => Promise<RawSender>> = {
  redis: redisSender,
  nats: natsSender,
  rabbitmq: rabbitMqSender,
  kafka: kafkaSender,
  sqs: sqsSender,
};
const consumerScript = new URL('./fuzz-consumer.ts', import.meta.url).pathname;
const validEvery = 20;
const batchSize = 400;
const skippedKind = 'unknown event type';

type Report = {
  deadOnce: number;
  deadTwice: number;
  unnamedDeadLetters: number;
  notHere: number[];
  givenUpByTransport: number;
  validHandled: number;
  validTwice: number;
  validDeadLettered: number;
  byKind: Record<string, { count: number; reason: string }>;
  polluted: boolean;
  memory: Record<string, { rssMb: number; heapMb: number }>;
};

/**
 * Hostile messages dead-lettered, all in the consumer's sink: by fuzz-id, and without one
 * (a forged SNS/SQS `tidings` envelope replaces the headers).
 */
const deadTotal = (r: Report) => r.deadOnce + r.deadTwice + r.unnamedDeadLetters;

function startConsumer(env: Record<string, string>, args: string[]) {
  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', consumerScript, ...args],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    },
  );
  const exits: string[] = [];
  const state = { closing: false };
  child.once('exit', (code, signal) => {
    if (!(state.closing && code === 0)) exits.push(`fuzz consumer exited with ${signal ?? code}`);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let waiting: ((report: Report) => void) | undefined;
  const ready = new Promise<void>((resolve) => {
    lines.on('line', (line) => {
      if (line.startsWith('ready')) resolve();
      else if (line.startsWith('report ')) waiting?.(JSON.parse(line.slice(7)) as Report);
    });
  });
  const report = () =>
    new Promise<Report>((resolve, reject) => {
      if (exits.length > 0) return reject(new Error(exits[0]));
      waiting = resolve;
      child.stdin?.write('report\n');
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    state.closing = true;
    child.stdin?.end();
    await exited;
  };
  return { child: child as ChildProcess, ready, report, exits, close };
}

export async function fuzzRun(o: ChaosOptions) {
  const id = randomBytes(4).toString('hex');
  const servers = await startPrivateServers(o.broker, id, { postgres: false });
  // A server dying on its own ends the run: waiting for its messages would hang it.
  void servers.broker.died?.then(async (what) => {
    process.stderr.write(
      `fuzz: the ${servers.broker.name} server died during the run (${what}); stopping.\n`,
    );
    await servers.stopAll();
    process.exit(1);
  });
  const started = Date.now();
  const valid = Math.ceil(o.fuzz / validEvery);
  Object.assign(process.env, servers.env);
  const consumer = startConsumer(servers.env, [o.broker, id, String(o.fuzz), String(valid)]);
  try {
    await consumer.ready;
    const sender = await (senders[o.broker] as (runId: string) => Promise<RawSender>)(id);
    const transport = await openBroker(o.broker, id, () => undefined);
    const random = seeded(0x5eed);
    let v = 0;
    // Events of a known type the handler does not take are acked as done before decoding (the
    // pipeline's type filter, packages/core/src/pipeline/steps/types.ts); a type the catalog
    // does not know is dead-lettered. Should the 'unknown event type' kind ever be skipped
    // again, it is counted apart here, so the figures show it rather than hide it.
    let ofSkippedKind = 0;
    const skippedOf = (r: Report) => ofSkippedKind - (r.byKind[skippedKind]?.count ?? 0);
    for (let i = 0; i < o.fuzz; i += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, o.fuzz - i) }, (_, j) =>
        hostile(i + j, random, sender.huge),
      );
      if (sender.window !== undefined) {
        // Wait until what is still unread fits the window (the peer's retention, see RawSender).
        for (;;) {
          const r = await consumer.report();
          const accounted = deadTotal(r) + r.validHandled + skippedOf(r);
          if (i + v - accounted <= sender.window - batchSize || consumer.exits.length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      await sender.send(batch);
      ofSkippedKind += batch.filter((m) => m.kind === skippedKind).length;
      const validNow = Math.min(valid, Math.ceil((i + batch.length) / validEvery)) - v;
      const events = Array.from({ length: validNow }, () => {
        const n = v++;
        const event = Ticked.create({ n }, { subject: { type: 'Clock', id: `c-${n % 100}` } });
        const message = toTransportMessage(event);
        return { ...message, headers: { ...message.headers, 'fuzz-valid': String(n) } };
      });
      if (events.length > 0) await transport.publish(events);
      if (consumer.exits.length > 0) break;
    }
    const sentMs = Date.now() - started;
    // Drained when every valid event is handled and every hostile one accounted for; gives up
    // after two minutes without progress.
    let last: Report | undefined;
    let progressAt = Date.now();
    for (;;) {
      const report = await consumer.report();
      const done = deadTotal(report);
      const before = last ? deadTotal(last) + last.validHandled : -1;
      if (deadTotal(report) + report.validHandled !== before) progressAt = Date.now();
      last = report;
      if (
        (done >= o.fuzz - skippedOf(report) && report.validHandled >= valid) ||
        Date.now() - progressAt > 120_000
      )
        break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    await transport.close();
    await sender.close();
    const r = last as Report;
    return {
      transport: o.broker,
      hostileSent: o.fuzz,
      validSent: valid,
      validHandled: r.validHandled,
      validHandledTwice: r.validTwice,
      validDeadLettered: r.validDeadLettered,
      hostileDeadLettered: deadTotal(r),
      hostileDeadLetteredTwice: r.deadTwice,
      hostileSkippedAsOtherType: skippedOf(r),
      hostileNotDeadLettered: o.fuzz - skippedOf(r) - deadTotal(r),
      deadLettersWithoutFuzzId: r.unnamedDeadLetters,
      givenUpByTransport: r.givenUpByTransport,
      notInTheSink: r.notHere.map((i) => `fuzz-${i}`),
      byKind: r.byKind,
      prototypePolluted: r.polluted,
      consumerMemory: r.memory,
      crashes: [...consumer.exits],
      sendMs: sentMs,
      totalMs: Date.now() - started,
    };
  } finally {
    consumer.child.stdin?.end();
    await new Promise((resolve) =>
      consumer.exits.length > 0 ? resolve(undefined) : consumer.child.once('exit', resolve),
    );
    await servers.stopAll();
  }
}

export function fuzzFailed(f: Awaited<ReturnType<typeof fuzzRun>>): boolean {
  return (
    f.crashes.length > 0 ||
    f.validHandled < f.validSent ||
    f.validDeadLettered > 0 ||
    f.hostileNotDeadLettered !== 0 ||
    f.prototypePolluted
  );
}
