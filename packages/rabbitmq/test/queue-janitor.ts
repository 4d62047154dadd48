/**
 * Test support: remembers the groups a test run subscribed and deletes their queues (and
 * dead-letter queues) afterwards, and the parked queues its dead-letter publishes made. Quorum queues are Raft groups with their own processes;
 * leaving hundreds behind after every run slows a small shared broker down.
 */
import type { Transport } from '@tidings/core';
import { deadLetterHeaders } from '@tidings/core/spi';
import amqp from 'amqplib';
import { deadLetterTopicQueue, groupNames } from '../src/names.ts';

export interface QueueJanitor {
  /** A transport that records the group of every subscription. */
  track(transport: Transport): Transport;
  /** Records one group by hand. */
  remember(group: string): string;
  /** Deletes the queues of every recorded group. */
  sweep(): Promise<void>;
}

export function createQueueJanitor(url: string, exchange: string): QueueJanitor {
  const groups = new Set<string>();
  const parked = new Set<string>();
  return {
    track: (transport) => ({
      name: transport.name,
      features: transport.features,
      ...(transport.telemetry ? { telemetry: transport.telemetry } : {}),
      publish: (messages) => {
        for (const m of messages) {
          if (m.headers[deadLetterHeaders.reason] !== undefined)
            parked.add(deadLetterTopicQueue(exchange, m.topic));
        }
        return transport.publish(messages);
      },
      subscribe: (request, handler, options) => {
        groups.add(request.group);
        return transport.subscribe(request, handler, options);
      },
      close: () => transport.close(),
    }),
    remember: (group) => {
      groups.add(group);
      return group;
    },
    async sweep() {
      if (groups.size === 0 && parked.size === 0) return;
      const model = await amqp.connect(url);
      try {
        const channel = await model.createChannel();
        for (const group of groups) {
          const names = groupNames(exchange, group);
          await channel.deleteQueue(names.queue);
          await channel.deleteQueue(names.deadQueue);
        }
        for (const queue of parked) await channel.deleteQueue(queue);
      } finally {
        await model.close();
      }
    },
  };
}
