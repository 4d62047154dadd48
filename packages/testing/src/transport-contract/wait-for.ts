/**
 * Bounded waiting on outcomes: the contract suite never sleeps for a fixed time to "let
 * delivery happen"; it polls a condition until it holds or a deadline passes.
 */

/**
 * Resolves once `condition()` returns true (it may be async); rejects with `what` and the
 * last state after `timeoutMs`.
 *
 * @example
 * await waitFor(() => recorder.ids().size === 10, 5_000, 'ten messages');
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  describeState: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pause = 2;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) {
      const state = describeState();
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${state ? ` (${state})` : ''}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(pause * 2, 50);
  }
}

/** Retries `action` until it resolves (e.g. a publish while a client reconnects). */
export async function eventually<T>(action: () => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`Timed out after ${timeoutMs} ms retrying ${what}.`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Rejects after `ms` unless `promise` settles first: keeps one broken close from hanging a run. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms.`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A promise the test opens by hand: holds handlers in flight until released. */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

export function createGate(): Gate {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/**
 * `waitFor` with the argument order integration tests read best: what to wait for, then
 * the deadline (default 20 s). Bounded polling for where no promise or spy can be awaited.
 *
 * @example
 * await waitUntil(() => received.length === 2, 'two deliveries');
 */
export function waitUntil(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  return waitFor(condition, timeoutMs, what);
}
