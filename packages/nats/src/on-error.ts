/**
 * The default `onError`: `console.error`, at most one line per second per kind of error
 * (its name and code), so a broker outage logs a line a second rather than one per pull.
 */
export function rateLimitedConsoleError(label: string, intervalMs = 1000): (error: unknown) => void {
  const lastAt = new Map<string, number>();
  return (error) => {
    const kind = `${(error as Error)?.name ?? typeof error}:${(error as { code?: unknown })?.code ?? ''}`;
    const now = Date.now();
    if (now - (lastAt.get(kind) ?? Number.NEGATIVE_INFINITY) < intervalMs) return;
    lastAt.set(kind, now);
    console.error(label, error);
  };
}
