/**
 * Per-test fixtures of the transport contract: unique names, message factories, a recorder
 * of deliveries, and transports that are closed when the test ends.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { MessageHandler, ReceivedMessage, Transport, TransportMessage } from '@tidings/core';
import { onTestFinished } from 'vitest';
import type { ContractContext } from './options.ts';
import { waitFor, within } from './wait-for.ts';

/** A name no other test (or run) uses: lowercase letters, digits and `-`, safe on every broker. */
export function uniqueName(label: string): string {
  return `tc-${label}-${randomBytes(5).toString('hex')}`;
}

const encoder = new TextEncoder();

/** A message shaped like a CloudEvents binary-mode event; `n` numbers it in the body. */
export function makeMessage(
  topic: string,
  n: number,
  overrides: Partial<Pick<TransportMessage, 'key' | 'headers' | 'body'>> = {},
): TransportMessage {
  const id = randomUUID();
  return {
    id,
    topic,
    key: overrides.key ?? `key-${n}`,
    headers: overrides.headers ?? {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-type': topic,
      'ce-source': '/contract',
    },
    body: overrides.body ?? encoder.encode(JSON.stringify({ n })),
  };
}

export function makeMessages(topic: string, count: number, key?: string): TransportMessage[] {
  return Array.from({ length: count }, (_, n) => makeMessage(topic, n, key === undefined ? {} : { key }));
}

/** Records every delivery a handler saw, in arrival order. */
export interface Recorder {
  readonly received: ReceivedMessage[];
  /** Records, then runs `then` (default: resolve, i.e. ack). */
  handler(then?: MessageHandler): MessageHandler;
  ids(): Set<string>;
  waitForIds(ids: Iterable<string>, what: string): Promise<void>;
}

export function createRecorder(ctx: ContractContext): Recorder {
  const received: ReceivedMessage[] = [];
  const ids = () => new Set(received.map((m) => m.id));
  return {
    received,
    handler: (then) => async (message) => {
      received.push(message);
      if (then) await then(message);
    },
    ids,
    waitForIds: (wanted, what) => {
      const list = [...wanted];
      return waitFor(
        () => {
          const have = ids();
          return list.every((id) => have.has(id));
        },
        ctx.timeoutMs,
        what,
        () => `${list.filter((id) => ids().has(id)).length} of ${list.length} arrived`,
      );
    },
  };
}

/** Opens transports for one test and closes them all when it finishes. */
export function useTransports(ctx: ContractContext): () => Promise<Transport> {
  const opened: Transport[] = [];
  onTestFinished(async () => {
    await Promise.all(opened.map((t) => within(t.close(), ctx.timeoutMs, `close() of ${ctx.name}`)));
  });
  return async () => {
    const transport = await ctx.create();
    opened.push(transport);
    return transport;
  };
}

/** Counts how often each id occurs: duplicates are the values above 1. */
export function duplicates(messages: readonly ReceivedMessage[]): string[] {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.id, (counts.get(m.id) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([id]) => id);
}
