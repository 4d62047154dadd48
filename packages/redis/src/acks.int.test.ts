/**
 * Coalesced XACKs against a real server: acks asked for in one turn of the event loop
 * resolve only once the server dropped their ids from the group's pending list, across
 * several streams at once, and a failed XACK rejects every caller it carried.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAcks } from './acks.ts';

const url = 'redis://127.0.0.1:6379';
const prefix = `tc-redisacks-${randomBytes(4).toString('hex')}:`;
const group = 'g';
let redis: Redis;

beforeAll(() => {
  redis = new Redis(url);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/** A stream with `count` entries read by the group, so all of them are pending. */
async function pendingStream(name: string, count: number): Promise<string[]> {
  const stream = `${prefix}${name}`;
  await redis.call('XGROUP', 'CREATE', stream, group, '$', 'MKSTREAM');
  for (let n = 0; n < count; n++) await redis.call('XADD', stream, '*', 'n', String(n));
  const reply = (await redis.call('XREADGROUP', 'GROUP', group, 'c', 'STREAMS', stream, '>')) as [
    string,
    [string, string[]][],
  ][];
  return (reply[0]?.[1] ?? []).map(([id]) => id);
}

const pendingCount = async (stream: string) =>
  ((await redis.call('XPENDING', `${prefix}${stream}`, group)) as [number])[0];

describe('coalesced XACKs', () => {
  it('acks ids of several streams asked for in one turn, each caller after the server answered', async () => {
    const a = await pendingStream('a', 5);
    const b = await pendingStream('b', 3);
    const acks = createAcks(redis, group);
    // The server's own log of commands, ours picked out by our keys (the server is shared).
    const monitor = await redis.duplicate().monitor();
    const ours: string[] = [];
    const marker = `${prefix}marker`;
    const markerSeen = new Promise<void>((resolve) => {
      monitor.on('monitor', (_time: string, args: string[]) => {
        if (args.includes(marker)) resolve();
        else if (args.some((arg) => arg.startsWith(prefix))) ours.push(String(args[0]).toUpperCase());
      });
    });

    const acked = [
      ...a.map((id) => acks.ack(`${prefix}a`, id)),
      ...b.map((id) => acks.ack(`${prefix}b`, id)),
    ];
    expect(acks.pending).toBe(8);
    await Promise.all(acked);

    expect(acks.pending).toBe(0);
    expect(await pendingCount('a')).toBe(0);
    expect(await pendingCount('b')).toBe(0);
    await redis.call('ECHO', marker);
    await markerSeen;
    monitor.disconnect();
    // One command carried all eight ids (MONITOR also lists the script's inner XACKs).
    expect(ours.filter((name) => name === 'EVAL')).toHaveLength(1);
  });

  it('acks one stream with one XACK, and resolves `answered` once it is answered', async () => {
    const ids = await pendingStream('c', 4);
    const acks = createAcks(redis, group);
    const acked = Promise.all(ids.map((id) => acks.ack(`${prefix}c`, id)));
    await acks.answered();
    expect(acks.pending).toBe(0);
    await acked;
    expect(await pendingCount('c')).toBe(0);
  });

  it('rejects every caller a failed XACK carried, and leaves their entries pending', async () => {
    const ids = await pendingStream('d', 2);
    const acks = createAcks(redis, group);
    await redis.set(`${prefix}not-a-stream`, 'x');
    const failed = [acks.ack(`${prefix}not-a-stream`, '1-0'), acks.ack(`${prefix}d`, ids[0] as string)];
    const results = await Promise.allSettled(failed);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await pendingCount('d')).toBeGreaterThan(0);
    expect(acks.pending).toBe(0);
    // A single stream's XACK fails the same way.
    await expect(acks.ack(`${prefix}not-a-stream`, '1-0')).rejects.toThrow(/WRONGTYPE/);
  });
});
