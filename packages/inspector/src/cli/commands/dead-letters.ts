/**
 * `tidings dead-letters`: what was given up on and why, both kinds in one list: outbox
 * deliveries the relay gave up on, and dead letters the consumer received and kept in this
 * store (a column says which). `dead-letters redrive` (also `tidings redrive`) takes either.
 */
import { ConfigurationError, type DeadLetter, type OutboxStore } from '@tidings/core';
import { toEventQuery } from '../../api/event-filter.ts';
import { listReceived, type ReceivedDeadLetterView } from '../../api/received-dead-letters.ts';
import type { Flags } from '../args.ts';
import { formatTime, type Terminal } from '../terminal.ts';
import { redriveCommand } from './redrive.ts';

export async function deadLettersCommand(
  store: OutboxStore,
  positionals: readonly string[],
  flags: Flags,
  terminal: Terminal,
) {
  const [action, ...rest] = positionals;
  if (action === 'redrive') return redriveCommand(store, rest, flags, terminal);
  if (action !== undefined) {
    throw new ConfigurationError(
      `Unknown dead-letters action "${action}". Use "tidings dead-letters" or "tidings dead-letters redrive <eventId> <consumer> | <receivedId> | --all".`,
    );
  }
  if (flags.all) throw new ConfigurationError('--all goes with "tidings dead-letters redrive --all".');
  const { limit, from: since } = toEventQuery({ limit: flags.limit, since: flags.since }, 100);
  const [outbox, received] = await terminal.spin('Reading dead letters', async () => {
    const letters = await store.deadLetters({
      ...(flags.consumer ? { consumer: flags.consumer } : {}),
      ...(limit ? { limit } : {}),
    });
    const sinceMs = since === undefined ? undefined : Date.parse(since);
    const recent = letters.filter((l) => sinceMs === undefined || (l.finishedAt ?? 0) >= sinceMs);
    const kept = await listReceived(store, {
      handler: flags.consumer,
      limit,
      ...(since === undefined ? {} : { since }),
    });
    return [recent, kept] as const;
  });
  if (flags.json) {
    terminal.out(JSON.stringify({ deadLetters: outbox, receivedDeadLetters: received }));
    return;
  }
  if (outbox.length === 0 && received.length === 0) {
    terminal.out(terminal.paint('green', 'No dead letters.'));
    return;
  }
  for (const letter of outbox) printOutbox(letter, terminal);
  for (const letter of received) printReceived(letter, terminal);
  terminal.out(
    terminal.paint(
      'dim',
      `${outbox.length + received.length} dead letter(s): ${outbox.length} outbox, ${received.length} received. ` +
        'Redrive: tidings redrive <eventId> <consumer> (outbox) | tidings redrive <receivedId> (received)',
    ),
  );
}

const kind = (terminal: Terminal, text: 'outbox' | 'received') => terminal.paint('dim', text.padEnd(8));
const times = (first: string | number | undefined, last: string | number | undefined) =>
  `first ${first === undefined ? '—' : formatTime(first)} · last ${last === undefined ? '—' : formatTime(last)}`;

function printOutbox(letter: DeadLetter, terminal: Terminal) {
  const { event } = letter;
  const subject = event.subject
    ? ` ${terminal.paint('cyan', `${event.subject.type}:${event.subject.id}`)}`
    : '';
  const first = letter.history[0]?.at ?? letter.finishedAt;
  terminal.out(
    `${terminal.paint('red', '☠')} ${kind(terminal, 'outbox')} ${terminal.paint('bold', letter.consumer)} on ${event.type}${subject} ${terminal.paint('dim', `${event.id} · ${letter.attempts} attempt(s) · ${times(first, letter.finishedAt)}`)}`,
  );
  terminal.out(`    ${letter.lastError ?? '(no reason recorded)'}`);
}

function printReceived(letter: ReceivedDeadLetterView, terminal: Terminal) {
  const what = letter.eventType ?? `topic ${letter.topic}`;
  const code = letter.code ? `${letter.code} · ` : '';
  const waiting =
    letter.status === 'redrive-requested' ? terminal.paint('yellow', ' (redrive requested)') : '';
  terminal.out(
    `${terminal.paint('red', '☠')} ${kind(terminal, 'received')} ${terminal.paint('bold', letter.handler)} on ${what} ${terminal.paint('cyan', letter.key)} ${terminal.paint('dim', `${letter.id} · ${code}${letter.attempts} attempt(s) · ${times(letter.firstFailedAt, letter.lastFailedAt)}`)}${waiting}`,
  );
  terminal.out(`    ${letter.reason || '(no reason recorded)'}`);
}
