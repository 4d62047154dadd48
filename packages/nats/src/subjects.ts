/**
 * Maps Tidings names onto NATS names. A topic's ordered lane `n` is the subject
 * `<prefix>.<topic>._<n>` (dots in a topic become subject tokens; `_<digits>` tokens are
 * reserved for lanes), the plain `<prefix>.<topic>` is where foreign producers may publish;
 * a group becomes a durable consumer name, which NATS restricts further, so it is encoded
 * rather than rejected.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

const badSubject = /[\s*>]|^\.|\.$|\.\./;
const laneToken = /(^|\.)_\d+(\.|$)/;

/** Checks a subject prefix or topic: no whitespace, no wildcards, no empty tokens. */
export function assertSubjectPart(value: string, what: string): void {
  if (value.length === 0 || badSubject.test(value)) {
    throw new ConfigurationError(
      `NATS ${what} ${describeValue(value)} is not a valid subject part: use non-empty dot-separated tokens without whitespace, "*" or ">".`,
    );
  }
}

export function topicSubject(prefix: string, topic: string): string {
  assertSubjectPart(topic, 'topic');
  if (topic === '_chunks' || topic.startsWith('_chunks.')) {
    throw new ConfigurationError(
      `NATS topic ${describeValue(topic)} is reserved: "_chunks" holds the bodies of large messages. Rename the topic.`,
    );
  }
  if (laneToken.test(topic)) {
    throw new ConfigurationError(
      `NATS topic ${describeValue(topic)} is reserved: tokens "_<digits>" name a topic's ordered lanes. Rename the topic.`,
    );
  }
  return `${prefix}.${topic}`;
}

/** The subject of a topic's ordered lane `partition`. */
export function laneSubject(prefix: string, topic: string, partition: number): string {
  return `${topicSubject(prefix, topic)}._${partition}`;
}

/**
 * The lane of `key` among `partitions`: FNV-1a (32 bit) of its UTF-8 bytes, modulo the
 * count. Stable across processes and languages, so a foreign producer can route the same way.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % partitions;
}

const encoder = new TextEncoder();

/**
 * A durable consumer name for a group. Names may not contain whitespace, `.`, `*`, `>`,
 * path separators or control characters; those are percent-style encoded (`_xx`) so two
 * distinct groups never share a consumer.
 */
export function consumerName(group: string): string {
  if (group.length === 0) {
    throw new ConfigurationError('NATS consumer group is empty: pass a non-empty group name.');
  }
  return group.replace(/[^A-Za-z0-9-]/g, (c) => `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * The durable consumer of one group for one topic. NATS 2.9 consumers take a single filter
 * subject, so a group that listens to several topics owns one consumer per topic; `__`
 * cannot occur inside an encoded part, so it separates them unambiguously.
 */
export function durableName(group: string, topic: string): string {
  return `${consumerName(group)}__${consumerName(topic)}`;
}

/** The durable consumer of one group for one ordered lane of a topic. */
export function laneDurableName(group: string, topic: string, partition: number): string {
  return `${durableName(group, topic)}__p${partition}`;
}
