/**
 * `tidings redrive` (also `tidings dead-letters redrive`): `<eventId> <consumer>` makes an
 * outbox delivery pending again (the relay retries it); `<receivedId>` asks for a received
 * dead letter to be redriven (the consumer's redrive loop republishes it to its group);
 * `--all [--consumer c]` does both for every dead letter (or one consumer's / handler's).
 */
import { ConfigurationError, type OutboxStore } from '@tidings/core';
import { requestReceivedRedrive } from '../../api/received-dead-letters.ts';
import { redriveDeadLetters } from '../../api/redrive.ts';
import type { Flags } from '../args.ts';
import type { Terminal } from '../terminal.ts';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const receivedNote = 'the consumer republishes it to its group (its redrive loop polls every second)';

export async function redriveCommand(
  store: OutboxStore,
  args: readonly string[],
  flags: Flags,
  terminal: Terminal,
) {
  const [first, second, ...extra] = args;
  if (flags.all) {
    if (args.length > 0) throw new ConfigurationError('Give either --all or an id, not both.');
    const redriven = await terminal.spin('Redriving', () =>
      redriveDeadLetters(store, { all: true, consumer: flags.consumer }),
    );
    const requested = store.receivedDeadLetters
      ? await requestReceivedRedrive(store, { all: true, handler: flags.consumer })
      : 0;
    if (flags.json) terminal.out(JSON.stringify({ redriven, requested }));
    else {
      terminal.out(
        `${terminal.paint('green', '↻')} Redrove ${plural(redriven, 'outbox delivery', 'outbox deliveries')} (the relay picks them up); ` +
          `requested the redrive of ${plural(requested, 'received dead letter', 'received dead letters')} (${receivedNote}).`,
      );
    }
    return;
  }
  if (first && second === undefined) return redriveReceived(store, first, flags, terminal);
  if (!first || !second || extra.length > 0) {
    throw new ConfigurationError(
      'Usage: tidings redrive <eventId> <consumer> (outbox), <receivedId> (received), or --all (see "tidings dead-letters").',
    );
  }
  const redriven = await redriveDeadLetters(store, { refs: [{ eventId: first, consumer: second }] });
  if (redriven === 0) {
    throw new ConfigurationError(
      `No dead letter for event ${first} and consumer "${second}". List them with "tidings dead-letters".`,
    );
  }
  if (flags.json) terminal.out(JSON.stringify({ redriven }));
  else terminal.out(`${terminal.paint('green', '↻')} Redrove 1 delivery; the relay will pick it up.`);
}

async function redriveReceived(store: OutboxStore, id: string, flags: Flags, terminal: Terminal) {
  const port = store.receivedDeadLetters;
  const letter = await port?.get(id);
  if (!port || !letter) {
    throw new ConfigurationError(
      `No received dead letter with id ${id}. For an outbox delivery give <eventId> <consumer>; list both with "tidings dead-letters".`,
    );
  }
  const requested = await requestReceivedRedrive(store, { ids: [id] });
  if (flags.json) {
    terminal.out(JSON.stringify({ requested }));
    return;
  }
  terminal.out(
    requested === 1
      ? `${terminal.paint('green', '↻')} Requested the redrive of ${id} (${letter.handler}): ${receivedNote}.`
      : `${id} is already waiting for its redrive; ${receivedNote}.`,
  );
}
