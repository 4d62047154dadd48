/**
 * Per-key order across members that are real processes, one of them SIGKILLed mid-run
 * while it holds partitions, entries in flight and retries waiting. Effects are recorded
 * in Redis by the members (test/member.ts), so what a killed process did before it died
 * counts and nothing after. As an inbox would see it, each key's first effects MUST be its
 * publish order (duplicates of a message whose ack died with the process are allowed).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import type { TransportMessage } from '@tidings/core';
import { waitUntil } from '@tidings/testing';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { createRedisTransport } from './redis-transport.ts';

const url = 'redis://127.0.0.1:6379';
const prefix = `tc-rediskill-${randomBytes(4).toString('hex')}:`;
const memberScript = new URL('../test/member.ts', import.meta.url).pathname;
const children = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  const redis = new Redis(url);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function startMember(topic: string, group: string, name: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', memberScript, prefix, topic, group, name],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`member ${name} exited with ${code} before it was ready`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
  });
}

it('keeps per-key order across member processes while one is SIGKILLed mid-run', async () => {
  const topic = `kill-${randomBytes(4).toString('hex')}`;
  const group = `g-${randomBytes(4).toString('hex')}`;
  const keys = Array.from({ length: 30 }, (_, k) => `Order:${k}`);
  const sent: TransportMessage[] = Array.from({ length: 600 }, (_, n) => {
    const id = randomUUID();
    return { id, topic, key: keys[n % keys.length] as string, headers: {}, body: Buffer.from(`{"n":${n}}`) };
  });
  const doomed = await startMember(topic, group, 'doomed');
  await startMember(topic, group, 'a');
  await startMember(topic, group, 'b');
  const publisher = await createRedisTransport({ connection: url, prefix });
  const redis = new Redis(url);
  try {
    const effects = async () =>
      (await redis.lrange(`${prefix}effects`, 0, -1)).map((line) => line.split(' '));
    let seen: string[][] = [];
    const publishing = (async () => {
      for (let i = 0; i < sent.length; i += 50) await publisher.publish(sent.slice(i, i + 50));
    })();
    await waitUntil(
      async () => {
        seen = await effects();
        return seen.filter(([member]) => member === 'doomed').length >= 30;
      },
      'the doomed member handling its share',
      20_000,
    );
    doomed.kill('SIGKILL');
    await publishing;
    await waitUntil(
      async () => {
        seen = await effects();
        return new Set(seen.map(([, , id]) => id)).size === sent.length;
      },
      'every message handled after the kill',
      30_000,
    );
    const firsts = new Map<string, string[]>();
    const done = new Set<string>();
    for (const [, key, id] of seen) {
      if (done.has(id as string)) continue;
      done.add(id as string);
      firsts.set(key as string, [...(firsts.get(key as string) ?? []), id as string]);
    }
    for (const key of keys) {
      expect(firsts.get(key), `effect order of ${key}`).toEqual(
        sent.filter((m) => m.key === key).map((m) => m.id),
      );
    }
  } finally {
    await publisher.close();
    await redis.quit();
  }
}, 90_000);
