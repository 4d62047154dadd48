/**
 * The receive loop of one subscription: long-polls the group's queue for as many messages as
 * it has free handler slots, runs each message group (FIFO) or message (standard) in a slot,
 * keeps what runs invisible with one extender for the subscription, and on close stops
 * receiving, releases what it has not started and waits for the rest.
 */
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { backoffDelay, pause } from '@tidings/core/spi';
import { keepInvisible } from './in-flight.ts';
import { type ProcessContext, processInOrder } from './process-messages.ts';

export interface QueuePoller {
  close(): Promise<void>;
}

function groupsOf(messages: readonly Message[]): Message[][] {
  const groups = new Map<string, Message[]>();
  for (const m of messages) {
    const id = m.Attributes?.MessageGroupId ?? m.MessageId ?? '';
    const list = groups.get(id) ?? [];
    list.push(m);
    groups.set(id, list);
  }
  return [...groups.values()];
}

export function startQueuePoller(
  ctx: Omit<ProcessContext, 'stopping' | 'inFlight'>,
  concurrency: number,
): QueuePoller {
  const stop = new AbortController();
  const { sqs, visibilityTimeoutSeconds, onError } = ctx.options;
  const inFlight = keepInvisible(sqs, ctx.queueUrl, visibilityTimeoutSeconds, onError);
  const process: ProcessContext = { ...ctx, stopping: stop.signal, inFlight };
  const running = new Set<Promise<void>>();
  let free = Math.max(1, concurrency);

  const loop = (async () => {
    let failures = 0;
    while (!stop.signal.aborted) {
      if (free === 0) {
        await Promise.race(running);
        continue;
      }
      let messages: Message[];
      try {
        const result = await ctx.options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: ctx.queueUrl,
            MaxNumberOfMessages: Math.min(10, free),
            WaitTimeSeconds: ctx.options.waitTimeSeconds,
            VisibilityTimeout: ctx.options.visibilityTimeoutSeconds,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId', 'SentTimestamp'],
          }),
          { abortSignal: stop.signal },
        );
        messages = result.Messages ?? [];
        failures = 0;
      } catch (error) {
        if (stop.signal.aborted) break;
        ctx.options.onError(error);
        failures++;
        await pause(backoffDelay(failures, { baseDelayMs: 200, maxDelayMs: 5_000 }), stop.signal);
        continue;
      }
      for (const group of groupsOf(messages)) {
        free--;
        const task: Promise<void> = processInOrder(process, group)
          .catch((error: unknown) => ctx.options.onError(error))
          .finally(() => {
            free++;
            running.delete(task);
          });
        running.add(task);
      }
    }
  })();

  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        stop.abort();
        await loop;
        while (running.size > 0) await Promise.all(running);
        inFlight.stop();
      })();
      return closing;
    },
  };
}
