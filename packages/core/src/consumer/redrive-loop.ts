/**
 * The redrive loop: takes received dead letters an operator asked to redrive (CLI,
 * inspector, `requestRedrive`), republishes each original message to its topic for its
 * group only, and marks it redriven once the broker has accepted it. It runs at start and
 * then every poll interval (or at once on `wake()`); a failed republish stays requested and
 * is tried again next round. The consumer starts one when its sink is `storeDeadLetterSink`.
 */
import { errorMessage } from '../errors/errors.ts';
import type { HasReceivedDeadLetters } from '../outbox/received-dead-letters.ts';
import { createErrorThrottle } from '../relay/error-throttle.ts';
import { createWakeSignal } from '../relay/wake-signal.ts';
import type { Transport } from '../transport/transport.ts';
import { toReceivedRedriveMessage } from './redrive-message.ts';

export interface DeadLetterRedriverOptions {
  readonly store: HasReceivedDeadLetters;
  readonly transport: Pick<Transport, 'publish'>;
  /** How often to look for redrive requests. Default 1,000 ms. */
  readonly pollMs?: number;
  /** Records per round. Default 100. */
  readonly batchSize?: number;
  /** Hears failures (rate-limited). Default `console.error`. */
  readonly onError?: (error: unknown) => void;
  readonly clock?: () => number;
}

export interface DeadLetterRedriver {
  /** Starts the loop; its first round runs at once. */
  start(): void;
  /** One round now: returns how many records were redriven. Rejects if the republish failed. */
  runOnce(): Promise<number>;
  /** Runs a round soon instead of at the next poll. */
  wake(): void;
  /** Stops the loop after the round in flight. Idempotent. */
  close(): Promise<void>;
}

/**
 * @example
 * const redriver = createDeadLetterRedriver({ store, transport });
 * redriver.start();
 */
export function createDeadLetterRedriver(options: DeadLetterRedriverOptions): DeadLetterRedriver {
  const clock = options.clock ?? Date.now;
  const pollMs = options.pollMs ?? 1_000;
  const batchSize = options.batchSize ?? 100;
  const port = options.store.receivedDeadLetters;
  const onError =
    options.onError ?? ((error: unknown) => console.error('[tidings] redrive error:', errorMessage(error)));
  const throttle = createErrorThrottle(onError, 10_000, clock);
  const signal = createWakeSignal();
  let running: Promise<void> | undefined;
  let closed = false;

  async function runOnce(): Promise<number> {
    const letters = await port.claimRedrives(batchSize);
    if (letters.length === 0) return 0;
    const at = new Date(clock()).toISOString();
    // Resolves only once the broker accepted every one; otherwise all stay requested.
    await options.transport.publish(letters.map((letter) => toReceivedRedriveMessage(letter, at)));
    await port.markRedriven(letters.map((letter) => letter.id));
    return letters.length;
  }

  async function loop(): Promise<void> {
    while (!closed) {
      const since = signal.generation();
      let full = false;
      try {
        full = (await runOnce()) === batchSize;
      } catch (error) {
        if (!closed) throttle.report('redrive', error);
      }
      if (!full && !closed) await signal.sleep(since, pollMs);
    }
  }

  return {
    start() {
      if (closed) return;
      running ??= loop();
    },
    runOnce,
    wake: () => signal.wake(),
    async close() {
      closed = true;
      signal.wake();
      await running;
    },
  };
}
