/**
 * `tidings dead-letters`: what was given up on and why; `dead-letters redrive` makes one
 * delivery (or `--all`) pending again, history kept.
 */
import { ConfigurationError, type OutboxStore } from '@tidings/core';
import { toEventQuery } from '../../api/event-filter.ts';
import { redriveDeadLetters } from '../../api/redrive.ts';
import type { Flags } from '../args.ts';
import { formatTime, type Terminal } from '../terminal.ts';

export async function deadLettersCommand(
  store: OutboxStore,
  positionals: readonly string[],
  flags: Flags,
  terminal: Terminal,
) {
  const [action, ...rest] = positionals;
  if (action === 'redrive') return redrive(store, rest, flags, terminal);
  if (action !== undefined) {
    throw new ConfigurationError(
      `Unknown dead-letters action "${action}". Use "tidings dead-letters" or "tidings dead-letters redrive <eventId> <consumer> | --all".`,
    );
  }
  if (flags.all) throw new ConfigurationError('--all goes with "tidings dead-letters redrive --all".');
  const { limit } = toEventQuery({ limit: flags.limit }, 100);
  const letters = await terminal.spin('Reading dead letters', () =>
    store.deadLetters({
      ...(flags.consumer ? { consumer: flags.consumer } : {}),
      ...(limit ? { limit } : {}),
    }),
  );
  if (flags.json) {
    terminal.out(JSON.stringify({ deadLetters: letters }));
    return;
  }
  if (letters.length === 0) {
    terminal.out(terminal.paint('green', 'No dead letters.'));
    return;
  }
  for (const letter of letters) {
    const { event } = letter;
    const subject = event.subject
      ? ` ${terminal.paint('cyan', `${event.subject.type}:${event.subject.id}`)}`
      : '';
    const when = letter.finishedAt === undefined ? '' : formatTime(letter.finishedAt);
    terminal.out(
      `${terminal.paint('red', '☠')} ${terminal.paint('bold', letter.consumer)} on ${event.type}${subject} ${terminal.paint('dim', `${event.id} · ${letter.attempts} attempt(s) · ${when}`)}`,
    );
    terminal.out(`    ${letter.lastError ?? '(no reason recorded)'}`);
  }
  terminal.out(
    terminal.paint(
      'dim',
      `${letters.length} dead letter(s). Redrive: tidings dead-letters redrive <eventId> <consumer>`,
    ),
  );
}

async function redrive(store: OutboxStore, args: readonly string[], flags: Flags, terminal: Terminal) {
  const [eventId, consumer, ...extra] = args;
  let redriven: number;
  if (flags.all) {
    if (args.length > 0) throw new ConfigurationError('Give either --all or <eventId> <consumer>, not both.');
    redriven = await terminal.spin('Redriving', () =>
      redriveDeadLetters(store, { all: true, consumer: flags.consumer }),
    );
  } else {
    if (!eventId || !consumer || extra.length > 0) {
      throw new ConfigurationError(
        'Usage: tidings dead-letters redrive <eventId> <consumer>, or --all (see "tidings dead-letters" for both).',
      );
    }
    redriven = await redriveDeadLetters(store, { refs: [{ eventId, consumer }] });
    if (redriven === 0) {
      throw new ConfigurationError(
        `No dead letter for event ${eventId} and consumer "${consumer}". List them with "tidings dead-letters".`,
      );
    }
  }
  if (flags.json) terminal.out(JSON.stringify({ redriven }));
  else
    terminal.out(
      `${terminal.paint('green', '↻')} Redrove ${redriven} deliver${redriven === 1 ? 'y' : 'ies'}; the relay will pick ${redriven === 1 ? 'it' : 'them'} up.`,
    );
}
