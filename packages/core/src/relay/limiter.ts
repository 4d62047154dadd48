/**
 * A counting semaphore: at most `slots` tasks run at once, the rest wait in arrival order.
 * Shared by every round a relay has in flight, so claim-ahead never multiplies the
 * handler concurrency the user asked for.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function createLimiter(slots: number): Limiter {
  let free = Math.max(1, slots);
  const waiting: (() => void)[] = [];
  const next = () => {
    const start = waiting.shift();
    if (start) start();
    else free += 1;
  };
  return async (task) => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      next();
    }
  };
}
