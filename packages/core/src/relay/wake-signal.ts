/**
 * How a relay's loops sleep between empty rounds: until a wake-up (the store's `onAppend`,
 * `relay.wake()`, closing) or the poll interval, whichever comes first. A wake-up that
 * arrives while a loop is busy is not lost: that loop's next sleep returns at once.
 */
export interface WakeSignal {
  /** The current generation; pass it to `sleep` to hear of wake-ups since. */
  generation(): number;
  sleep(since: number, pollMs: number): Promise<void>;
  wake(): void;
}

export function createWakeSignal(): WakeSignal {
  let generation = 0;
  const sleepers = new Set<() => void>();
  return {
    generation: () => generation,
    sleep(since, pollMs) {
      if (generation !== since) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, pollMs);
        sleepers.add(done);
      });
    },
    wake() {
      generation += 1;
      for (const sleeper of [...sleepers]) sleeper();
    },
  };
}
