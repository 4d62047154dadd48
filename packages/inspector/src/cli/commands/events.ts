/**
 * `tidings events`: the audit log as lines (or JSON lines), the newest `--limit` events in
 * the order they happened; `--follow` then prints new events as they are appended.
 */
import type { AnyDomainEvent, OutboxStore, StoredEvent } from '@tidings/core';
import { toEventQuery } from '../../api/event-filter.ts';
import type { Flags } from '../args.ts';
import { type CliIo, formatTable, formatTime, type Terminal } from '../terminal.ts';

const followEveryMs = 500;

export async function eventsCommand(store: OutboxStore, flags: Flags, io: CliIo, terminal: Terminal) {
  const query = toEventQuery(
    {
      type: flags.type,
      subject: flags.subject,
      correlation: flags.correlation,
      since: flags.since,
      until: flags.until,
      limit: flags.limit,
    },
    50,
  );
  const latest = [
    ...(await terminal.spin('Reading events', () => store.events({ ...query, order: 'desc' }))),
  ];
  latest.reverse();
  print(latest, flags, terminal);
  if (!flags.follow) {
    if (!flags.json && latest.length === 0) terminal.out(terminal.paint('dim', 'No events match.'));
    return;
  }
  let afterPosition = latest.at(-1)?.position ?? (await lastPosition(store));
  // On stderr, so --json output stays one event per line.
  io.stderr.write('Following: waiting for new events… (Ctrl-C to stop)\n');
  while (!io.signal.aborted) {
    await waitOrAbort(followEveryMs, io.signal);
    if (io.signal.aborted) break;
    const fresh = await store.events({ ...query, afterPosition, order: 'asc' });
    print(fresh, flags, terminal);
    afterPosition = fresh.at(-1)?.position ?? afterPosition;
  }
}

async function lastPosition(store: OutboxStore): Promise<number> {
  const [last] = await store.events({ order: 'desc', limit: 1 });
  return last?.position ?? 0;
}

function print(rows: readonly StoredEvent[], flags: Flags, terminal: Terminal) {
  if (flags.json) {
    for (const row of rows) terminal.out(JSON.stringify(row));
    return;
  }
  const lines = formatTable(rows.map(({ event }) => describe(event, terminal)));
  for (const line of lines) terminal.out(line);
}

function describe(event: AnyDomainEvent, terminal: Terminal): string[] {
  const subject = event.subject ? `${event.subject.type}:${event.subject.id}` : '-';
  const cause = event.causationId ? `← ${event.causationId.slice(-12)}` : '';
  return [
    terminal.paint('dim', formatTime(event.occurredAt)),
    terminal.paint('bold', event.type),
    terminal.paint('cyan', subject),
    event.id,
    terminal.paint('dim', cause),
  ];
}

function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
