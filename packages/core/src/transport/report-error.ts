/**
 * The default `onError`: background failures go to `console.error`, at most one line per
 * second per kind (error name), with a count of the ones held back, so a broker outage
 * does not flood the log. Shared by the RabbitMQ, Kafka and SNS/SQS transports. Credentials never reach it: errors are built with redacted URLs.
 */
export function createErrorReporter(label: string, log: (...args: unknown[]) => void = console.error) {
  const last = new Map<string, { at: number; held: number }>();
  return (error: unknown): void => {
    const kind = error instanceof Error ? error.name : typeof error;
    const now = Date.now();
    const seen = last.get(kind);
    if (seen && now - seen.at < 1_000) {
      seen.held++;
      return;
    }
    const held = seen?.held ?? 0;
    last.set(kind, { at: now, held: 0 });
    if (held > 0) log(label, error, `(${held} more like it in the last second)`);
    else log(label, error);
  };
}
