/**
 * Waits for in-place retries with one timer per subscription, however many messages wait:
 * the waits are kept sorted by due time and the single timer is set for the earliest.
 */

export interface RetryTimer {
  /** Resolves `true` after `ms`, or `false` at once when the timer is closed. */
  wait(ms: number): Promise<boolean>;
  /** Ends every wait with `false`; later waits resolve `false` at once. */
  close(): void;
}

interface Waiting {
  readonly due: number;
  readonly resume: (elapsed: boolean) => void;
}

export function createRetryTimer(): RetryTimer {
  const waiting: Waiting[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const arm = (): void => {
    clearTimeout(timer);
    timer = undefined;
    const first = waiting[0];
    if (first) timer = setTimeout(fire, Math.max(0, first.due - Date.now()));
  };
  const fire = (): void => {
    const now = Date.now();
    while (waiting.length > 0 && (waiting[0] as Waiting).due <= now)
      (waiting.shift() as Waiting).resume(true);
    arm();
  };

  return {
    wait(ms) {
      if (closed) return Promise.resolve(false);
      return new Promise((resume) => {
        const due = Date.now() + Math.max(0, ms);
        let at = waiting.length;
        while (at > 0 && (waiting[at - 1] as Waiting).due > due) at--;
        waiting.splice(at, 0, { due, resume });
        if (at === 0) arm();
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const entry of waiting.splice(0)) entry.resume(false);
    },
  };
}
