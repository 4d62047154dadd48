/**
 * Where a topic's messages live: `partitions` streams `<prefix><topic>:<n>`, a message in
 * the one its key hashes to (FNV-1a of the UTF-8 key, so every process agrees), plus the
 * plain stream `<prefix><topic>` that a foreign producer may write. Each stream is a lane
 * one member of a group reads at a time. The key names of the coordination state are here
 * too, so the whole layout is on one page.
 */
import { ConfigurationError } from '@tidings/core';

/** One stream of a topic: `index` is its partition, or -1 for the plain stream. */
export interface Lane {
  readonly topic: string;
  readonly stream: string;
  readonly index: number;
}

const encoder = new TextEncoder();

/** FNV-1a, 32 bits: fast, stable across processes and versions, good enough to spread keys. */
export function hashKey(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The partition of a message: by key, or by id for a keyless one (no order to keep, so spread). */
export function partitionOf(key: string, id: string, partitions: number): number {
  return hashKey(key === '' ? id : key) % partitions;
}

export function partitionStream(prefix: string, topic: string, index: number): string {
  return `${prefix}${topic}:${index}`;
}

/** The partitions of `topic` first, then its plain stream. */
export function lanesOf(prefix: string, topic: string, partitions: number): Lane[] {
  const lanes: Lane[] = Array.from({ length: partitions }, (_, index) => ({
    topic,
    index,
    stream: partitionStream(prefix, topic, index),
  }));
  lanes.push({ topic, index: -1, stream: `${prefix}${topic}` });
  return lanes;
}

/** Records the partition count of a topic; every user checks it agrees. */
export function partitionCountKey(prefix: string, topic: string): string {
  return `${prefix}${topic}~partitions`;
}

/** The live members of a group reading a topic: a sorted set of member → last heartbeat (ms). */
export function membersKey(prefix: string, topic: string, group: string): string {
  return `${prefix}${topic}~members~${group}`;
}

/** Which member of `group` holds `stream`: a string with a time to live. */
export function leaseKey(stream: string, group: string): string {
  return `${stream}~lease~${group}`;
}

/**
 * A topic ending in `:<digits>` would share its stream with a partition of another topic,
 * and `~` is the separator of the coordination keys: both are refused.
 */
export function checkTopic(topic: unknown, field: string): string {
  if (typeof topic !== 'string' || topic.length === 0 || /:\d+$/.test(topic) || topic.includes('~')) {
    throw new ConfigurationError(
      `Redis transport ${field} ${JSON.stringify(topic)} is invalid: pass a non-empty string without "~" that does not end in ":<digits>" (those name partition streams).`,
    );
  }
  return topic;
}
