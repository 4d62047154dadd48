/**
 * An `onError` for chaos workers: a server restart makes every call fail for a while, so
 * the worker prints at most one line per interval to stderr, with how many errors it
 * counted since the last line and the latest one, and carries on.
 */
export function rateLimitedLog(role: string, intervalMs = 5_000): (error: unknown) => void {
  let suppressed = 0;
  let last = 0;
  return (error) => {
    const now = Date.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    const more = suppressed > 0 ? ` (+${suppressed} more since the last line)` : '';
    process.stderr.write(`${role} ${process.pid}: ${message.slice(0, 300)}${more}\n`);
    suppressed = 0;
    last = now;
  };
}

/** Calls `attempt` until it resolves, logging each failure through `log`; for start-up during a restart. */
export async function retrying<T>(attempt: () => Promise<T>, log: (error: unknown) => void): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      log(error);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
