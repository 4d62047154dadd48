/**
 * The default `onError`: background failures (a read loop that lost its connection, a lease
 * renewal that failed) repeat while Redis is down, so print at most one line per second per
 * kind of error and count what was held back.
 */
import { redactUrl } from '@tidings/core/spi';

function kindOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}:${(error as { code?: unknown }).code ?? ''}`;
  return typeof error;
}

/** Wraps `print` so each kind of error reaches it at most once per `intervalMs`. */
export function rateLimited(print: (error: unknown) => void, intervalMs = 1_000): (error: unknown) => void {
  const last = new Map<string, { at: number; held: number }>();
  return (error) => {
    const kind = kindOf(error);
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < intervalMs) {
      seen.held++;
      return;
    }
    last.set(kind, { at: now, held: 0 });
    if (seen?.held)
      print(
        new Error(
          `${seen.held} more errors of the next kind were held back (at most one per second is printed)`,
        ),
      );
    print(error);
  };
}

/** An error message with any URL in it printed without its password. */
export function redacted(message: string): string {
  return message.replace(/rediss?:\/\/\S+/g, (url) => redactUrl(url));
}
