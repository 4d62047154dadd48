/**
 * Sends at a steady rate for the latency benchmarks: each tick (~1 ms) sends whatever is due
 * since the start, so a late timer catches up instead of lowering the rate.
 */
import { performance } from 'node:perf_hooks';

export async function paced(count: number, perSecond: number, send: (index: number) => void | Promise<void>) {
  const start = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - start) * perSecond) / 1000) + 1);
    while (sent < due) await send(sent++);
    if (sent < count) await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Reads a header whatever case the broker client gave its name. */
export function headerOf(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  return headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
}
