/**
 * The pull loop against a real JetStream: with several pulls open at once (a backlog, slots
 * freed one by one as messages settle), messages reach `deliver` in stream order. Each
 * fetch's own iterator would not guarantee that across fetches: an async generator yields a
 * batch one message per few microtasks, so a later pull's message could overtake the rest of
 * an earlier pull's batch.
 */
import { randomBytes } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPullLoop } from './pull-loop.ts';

const suffix = randomBytes(4).toString('hex');
const stream = `TC_PULL_${suffix}`;
const subject = `tc-pull-${suffix}.lane`;
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect({ servers: 'nats://127.0.0.1:4222', noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [subject] });
  await jsm.consumers.add(stream, {
    durable_name: 'lane',
    ack_policy: AckPolicy.Explicit,
    filter_subject: subject,
  });
});

afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

describe('startPullLoop', () => {
  it('delivers in stream order while several pulls are open', async () => {
    const js = jetstream(nc);
    const count = 2_000;
    const body = new Uint8Array(16);
    for (let i = 0; i < count; i += 200) {
      await Promise.all(Array.from({ length: 200 }, () => js.publish(subject, body)));
    }
    const consumer = await js.consumers.get(stream, 'lane');
    const seen: number[] = [];
    const errors: unknown[] = [];
    let all: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (all = resolve));
    const loop = startPullLoop(
      consumer,
      8,
      (msg, pulls) => {
        seen.push(msg.seq);
        // Settled a little later, one by one, so pulls keep overlapping with a batch in flight.
        setImmediate(() => {
          msg.ack();
          pulls.settled();
          if (seen.length === count) all();
        });
      },
      (error) => errors.push(error),
    );
    await finished;
    await loop.stop();
    const inversions = seen.filter((seq, i) => i > 0 && seq < (seen[i - 1] as number));
    expect(inversions, 'messages that came after a later one').toEqual([]);
    expect(new Set(seen).size).toBe(count);
    expect(errors).toEqual([]);
  });
});
