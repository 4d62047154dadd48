/**
 * Maps Tidings names onto NATS names. A topic becomes the subject `<prefix>.<topic>` (dots in
 * a topic become subject tokens); a group becomes a durable consumer name, which NATS
 * restricts further, so it is encoded rather than rejected.
 */
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

/** The topic under which a group's dead letters are published: `deadletter.<group>`. */
export function deadLetterTopic(group: string): string {
  return `deadletter.${consumerName(group)}`;
}

const badSubject = /[\s*>]|^\.|\.$|\.\./;

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
  return `${prefix}.${topic}`;
}

/** The topic a delivered subject belongs to, or the subject itself if it is not under the prefix. */
export function subjectTopic(prefix: string, subject: string): string {
  return subject.startsWith(`${prefix}.`) ? subject.slice(prefix.length + 1) : subject;
}

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
