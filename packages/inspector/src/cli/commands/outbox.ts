/** `tidings outbox`: backlog, lag (age of the oldest pending delivery) and status per consumer. */
import type { OutboxStore } from '@tidings/core';
import type { Flags } from '../args.ts';
import { formatAge, formatTable, type Terminal } from '../terminal.ts';

export async function outboxCommand(store: OutboxStore, flags: Flags, terminal: Terminal) {
  const consumers = await terminal.spin('Reading the backlog', () => store.stats());
  const pending = consumers.reduce((sum, s) => sum + s.pending, 0);
  const lagMs = consumers.reduce((max, s) => Math.max(max, s.oldestPendingAgeMs), 0);
  if (flags.json) {
    terminal.out(JSON.stringify({ pending, lagMs, consumers }));
    return;
  }
  const headline =
    pending === 0
      ? terminal.paint('green', 'caught up')
      : terminal.paint('yellow', `lag ${formatAge(lagMs)}`);
  terminal.out(`${terminal.paint('bold', 'Backlog')} ${pending} pending, ${headline}`);
  if (consumers.length === 0) {
    terminal.out(terminal.paint('dim', 'No consumers have deliveries in this store yet.'));
    return;
  }
  const rows = consumers.map((s) => [
    s.consumer,
    s.pending === 0 ? '0' : terminal.paint('yellow', String(s.pending)),
    String(s.done),
    // Pending after a failed attempt; `?` from a store that does not report it.
    s.retrying === undefined ? '?' : s.retrying === 0 ? '0' : terminal.paint('yellow', String(s.retrying)),
    s.dead === 0 ? '0' : terminal.paint('red', String(s.dead)),
    s.pending === 0 ? '-' : formatAge(s.oldestPendingAgeMs),
  ]);
  const header = ['consumer', 'pending', 'done', 'retrying', 'dead', 'oldest pending'].map((h) =>
    terminal.paint('dim', h),
  );
  for (const line of formatTable([header, ...rows])) terminal.out(line);
}
