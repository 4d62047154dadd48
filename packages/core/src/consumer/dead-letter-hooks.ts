/**
 * What the consumer needs for dead letters beyond its sink, in one place so consumer.ts
 * keeps a few lines for it: the first failure of each message it retries, the redrive loop
 * when the sink is the store's, and the check that skips another group's redrive.
 */
import type { Transport } from '../transport/transport.ts';
import type { DeadLetterSink } from './dead-letter-sink.ts';
import { createFirstFailures, type FirstFailures } from './first-failures.ts';
import { createDeadLetterRedriver } from './redrive-loop.ts';
import { isRedriveForAnotherGroup } from './redrive-message.ts';
import { isStoreDeadLetterSink } from './store-dead-letter-sink.ts';

export interface DeadLetterHooks {
  readonly firstFailures: FirstFailures;
  readonly isRedriveForAnotherGroup: typeof isRedriveForAnotherGroup;
  /** The last failure (now) and the first one remembered for the message, which is forgotten. */
  failureTimes(handler: string, messageId: string): { at: string; firstFailedAt: string };
  start(): void;
  close(): Promise<void>;
}

export function createDeadLetterHooks(
  sink: DeadLetterSink,
  transport: Transport,
  clock: () => number,
): DeadLetterHooks {
  const redriver =
    isStoreDeadLetterSink(sink) && sink.redrive !== false
      ? createDeadLetterRedriver({
          store: sink,
          transport,
          clock,
          ...(sink.redrive.pollMs === undefined ? {} : { pollMs: sink.redrive.pollMs }),
        })
      : undefined;
  const firstFailures = createFirstFailures();
  return {
    firstFailures,
    failureTimes(handler, messageId) {
      const at = new Date(clock()).toISOString();
      return { at, firstFailedAt: firstFailures.take(handler, messageId, at) };
    },
    isRedriveForAnotherGroup,
    start: () => redriver?.start(),
    close: async () => redriver?.close(),
  };
}
