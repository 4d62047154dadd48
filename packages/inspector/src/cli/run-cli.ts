/**
 * The CLI as a function: arguments and streams in, exit code out — 0 ok, 1 unexpected
 * failure, 2 a bad flag, database or file (one line says what and how to fix it).
 */
import { ConfigurationError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import { parseCommand, usage } from './args.ts';
import { asyncApiCommand } from './commands/asyncapi.ts';
import { deadLettersCommand } from './commands/dead-letters.ts';
import { eventsCommand } from './commands/events.ts';
import { inspectCommand } from './commands/inspect.ts';
import { outboxCommand } from './commands/outbox.ts';
import { redriveCommand } from './commands/redrive.ts';
import { type CliIo, colourEnabled, createTerminal } from './terminal.ts';
import { withStore } from './with-store.ts';

/**
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr,
 *   env: process.env, cwd: process.cwd(), signal: AbortSignal.timeout(60_000) });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const { command, positionals, flags } = parseCommand(argv);
    const terminal = createTerminal(io, { quiet: flags.json === true });
    if (command === undefined || flags.help) {
      io.stdout.write(usage);
      return command === undefined && !flags.help ? 2 : 0;
    }
    switch (command) {
      case 'asyncapi':
        await asyncApiCommand(flags, io, terminal);
        break;
      case 'inspect':
        await withStore(flags, io, terminal, (store, { location }) =>
          inspectCommand(store, location, flags, io, terminal),
        );
        break;
      case 'events':
        await withStore(flags, io, terminal, (store) => eventsCommand(store, flags, io, terminal));
        break;
      case 'outbox':
        await withStore(flags, io, terminal, (store) => outboxCommand(store, flags, terminal));
        break;
      case 'dead-letters':
        await withStore(flags, io, terminal, (store) =>
          deadLettersCommand(store, positionals, flags, terminal),
        );
        break;
      case 'redrive':
        await withStore(flags, io, terminal, (store) => redriveCommand(store, positionals, flags, terminal));
        break;
    }
    return 0;
  } catch (error) {
    const expected = ConfigurationError.is(error);
    const label = expected ? 'error' : 'unexpected error';
    const prefix = colourEnabled(io.stderr, io.env) ? `\x1b[31m${label}:\x1b[39m` : `${label}:`;
    io.stderr.write(`${prefix} ${errorMessage(error)}\n`);
    if (!expected && error instanceof Error && io.env.TIDINGS_DEBUG) io.stderr.write(`${error.stack}\n`);
    return expected ? 2 : 1;
  }
}
