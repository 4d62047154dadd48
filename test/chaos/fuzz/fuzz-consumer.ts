/**
 * The fuzz run's consumer process: `fuzz-consumer <broker> <run> <hostile> <valid>`. It
 * handles valid events (counting each by its payload number) and counts dead letters by
 * their `fuzz-id` (one byte per message, so the tally itself does not skew the memory
 * figures), by kind, with one sample reason per kind. It samples RSS and heap every 200 ms
 * and prints `report <json>` whenever a line arrives on stdin; it exits when stdin closes.
 */
import { createCatalog, createConsumer, type DeadLetterSink, durableHandler } from '@tidings/core';
import { Ticked } from '../../crash/crash-app.ts';
import { openBroker } from '../brokers.ts';
import { rateLimitedLog, retrying } from '../rate-limited-log.ts';

const [broker, runId, hostileText, validText] = process.argv.slice(2) as [string, string, string, string];
const hostileCount = Number(hostileText);
const validCount = Number(validText);
const logQuietly = rateLimitedLog('fuzz-consumer');
// A message the transport cannot read at all (NATS: a forged chunk list) never reaches the
// sink any more: the transport terminates it and says so through onError. Counted apart, so
// the run shows them as NOT dead-lettered rather than losing them silently.
let givenUpByTransport = 0;
const log = (error: unknown) => {
  if (error instanceof Error && / gave up on message /.test(error.message)) givenUpByTransport += 1;
  logQuietly(error);
};
const dead = new Uint8Array(hostileCount);
const handled = new Uint8Array(validCount);
const byKind: Record<string, { count: number; reason: string }> = {};
let unnamedDeadLetters = 0;
let validDeadLettered = 0;

const memory = () => {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssMb: Math.round(rss / 2 ** 20), heapMb: Math.round(heapUsed / 2 ** 20) };
};
const start = memory();
const max = { ...start };
setInterval(() => {
  const now = memory();
  max.rssMb = Math.max(max.rssMb, now.rssMb);
  max.heapMb = Math.max(max.heapMb, now.heapMb);
}, 200).unref();

const deadLetters: DeadLetterSink = {
  async put(record) {
    const id = record.message.headers['fuzz-id'];
    const index = id?.startsWith('fuzz-') ? Number(id.slice(5)) : Number.NaN;
    if (Number.isInteger(index) && index >= 0 && index < hostileCount) dead[index] = (dead[index] ?? 0) + 1;
    else if (record.message.headers['fuzz-valid'] !== undefined) validDeadLettered += 1;
    else unnamedDeadLetters += 1;
    const kind = record.message.headers['fuzz-kind'] ?? 'unnamed';
    const entry = byKind[kind] ?? { count: 0, reason: record.reason.slice(0, 160) };
    entry.count += 1;
    byKind[kind] = entry;
  },
};
const handler = durableHandler('fuzz-count', Ticked, async (event) => {
  const n = event.payload.n;
  if (n >= 0 && n < validCount) handled[n] = (handled[n] ?? 0) + 1;
});
const transport = await retrying(() => openBroker(broker, runId, log), log);
await createConsumer({
  transport,
  catalog: createCatalog([Ticked]),
  handlers: [handler],
  deadLetters,
  concurrency: 16,
}).start();

function report() {
  let deadOnce = 0;
  let deadTwice = 0;
  for (const n of dead)
    if (n === 1) deadOnce += 1;
    else if (n > 1) deadTwice += 1;
  // The first few hostile messages that reached no dead letter here, to look them up.
  const notHere: number[] = [];
  for (let i = 0; i < dead.length && notHere.length < 20; i++) if (dead[i] === 0) notHere.push(i);
  let validHandled = 0;
  let validTwice = 0;
  for (const n of handled) if (n >= 1) validHandled += 1;
  for (const n of handled) if (n > 1) validTwice += 1;
  return {
    deadOnce,
    deadTwice,
    unnamedDeadLetters,
    notHere,
    givenUpByTransport,
    validHandled,
    validTwice,
    validDeadLettered,
    byKind,
    polluted: ({} as Record<string, unknown>).polluted !== undefined,
    memory: { start, end: memory(), max },
  };
}

process.stdout.write(`ready ${JSON.stringify(start)}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', () => process.stdout.write(`report ${JSON.stringify(report())}\n`));
process.stdin.on('end', () => process.exit(0));
