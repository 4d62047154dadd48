/**
 * The PubAck collector against a real JetStream: a publish resolves only once the stream
 * stored the message, a repeated id is stored once, and every way a publish can fail (no
 * stream, a refusal from the stream, no answer in time) rejects that publish with the
 * subject named, never another one. Close waits for the acks still outstanding.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, headers as natsHeaders } from '@nats-io/transport-node';
import { TransportError } from '@tidings/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { msgIdHeader } from './headers.ts';
import { createPubAcks } from './pub-acks.ts';

const suffix = randomBytes(4).toString('hex');
const stream = `TC_PUBACKS_${suffix}`;
const prefix = `tc-pubacks-${suffix}`;
const body = new TextEncoder().encode('{"n":1}');
let nc: NatsConnection;

beforeAll(async () => {
  nc = await connect({ servers: 'nats://127.0.0.1:4222', noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.stored.>`] });
});

afterAll(async () => {
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => undefined);
  await nc.close();
});

const withId = (id: string) => {
  const headers = natsHeaders();
  headers.set(msgIdHeader, id);
  return headers;
};

async function stored(subject: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

describe('createPubAcks', () => {
  it('resolves each publish once the stream stored it, and a repeated id only once', async () => {
    const acks = createPubAcks(nc, { timeoutMs: 5_000 });
    const subject = `${prefix}.stored.a`;
    await Promise.all(Array.from({ length: 50 }, (_, i) => acks.publish(subject, body, withId(`m-${i}`))));
    expect(await stored(subject)).toBe(50);
    await acks.publish(subject, body, withId('m-0'));
    expect(await stored(subject)).toBe(50);
    await acks.close();
  });

  it('rejects a publish no stream stores, naming the subject, and keeps the others', async () => {
    const acks = createPubAcks(nc, { timeoutMs: 5_000 });
    const lost = `${prefix}.nowhere`;
    const results = await Promise.allSettled([
      acks.publish(`${prefix}.stored.b`, body, withId('b-1')),
      acks.publish(lost, body, withId('b-2')),
    ]);
    expect(results[0]?.status).toBe('fulfilled');
    expect(results[1]).toMatchObject({ status: 'rejected', reason: expect.any(TransportError) });
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain(lost);
    await acks.close();
  });

  it('rejects what the stream refuses, with its reason', async () => {
    const acks = createPubAcks(nc, { timeoutMs: 5_000 });
    const headers = withId('c-1');
    headers.set('Nats-Expected-Stream', 'NOT_THIS_ONE');
    await expect(acks.publish(`${prefix}.stored.c`, body, headers)).rejects.toThrow(/refused a publish/);
    expect(await stored(`${prefix}.stored.c`)).toBe(0);
    await acks.close();
  });

  it('rejects a publish nobody acknowledges in time', async () => {
    // A plain subscriber takes the message, so there is no "no responders" status either.
    const silent = `${prefix}.silent`;
    const listener = nc.subscribe(silent);
    const acks = createPubAcks(nc, { timeoutMs: 200 });
    await expect(acks.publish(silent, body, withId('d-1'))).rejects.toThrow(/within 200 ms/);
    listener.unsubscribe();
    await acks.close();
  });

  it('lets close wait for outstanding acks, then refuses new publishes', async () => {
    const acks = createPubAcks(nc, { timeoutMs: 5_000 });
    const subject = `${prefix}.stored.e`;
    const pending = Array.from({ length: 20 }, (_, i) => acks.publish(subject, body, withId(`e-${i}`)));
    const closed = acks.close();
    await expect(Promise.all(pending)).resolves.toHaveLength(20);
    await closed;
    expect(await stored(subject)).toBe(20);
    await expect(acks.publish(subject, body, withId('e-late'))).rejects.toThrow(/closed/);
  });
});
