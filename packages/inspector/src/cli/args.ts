/**
 * The command line: one table of flags parsed with `node:util` `parseArgs`, the command
 * and its sub-command, and a check that every flag given applies to that command, so a
 * misplaced flag is an error rather than silently ignored.
 */
import { parseArgs } from 'node:util';
import { ConfigurationError } from '@tidings/core';

const options = {
  db: { type: 'string', short: 'd' },
  schema: { type: 'string' },
  'table-prefix': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  'allow-redrive': { type: 'boolean' },
  catalog: { type: 'string' },
  type: { type: 'string', short: 't', multiple: true },
  subject: { type: 'string', short: 's' },
  correlation: { type: 'string', short: 'c' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string', short: 'n' },
  follow: { type: 'boolean', short: 'f' },
  all: { type: 'boolean' },
  consumer: { type: 'string' },
  binding: { type: 'string' },
} as const;

export type Flag = keyof typeof options;
export type Flags = ReturnType<
  typeof parseArgs<{ options: typeof options; allowPositionals: true }>
>['values'];

const storeFlags: readonly Flag[] = ['db', 'schema', 'table-prefix'];

/** Which flags each command accepts (besides --help). */
export const commandFlags: Readonly<Record<string, readonly Flag[]>> = {
  inspect: [...storeFlags, 'port', 'host', 'allow-redrive', 'catalog'],
  events: [...storeFlags, 'type', 'subject', 'correlation', 'since', 'until', 'limit', 'follow', 'json'],
  outbox: [...storeFlags, 'json'],
  'dead-letters': [...storeFlags, 'json', 'all', 'consumer', 'limit', 'since'],
  redrive: [...storeFlags, 'json', 'all', 'consumer'],
  asyncapi: ['catalog', 'binding'],
};

export interface ParsedCommand {
  /** Undefined when only `--help` (or nothing) was given. */
  readonly command: string | undefined;
  readonly positionals: readonly string[];
  readonly flags: Flags;
}

/**
 * @example
 * parseCommand(['events', '--type', 'shop.OrderPlaced', '--json']).command; // 'events'
 */
export function parseCommand(argv: readonly string[]): ParsedCommand {
  let parsed: { values: Flags; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    // parseArgs says which flag was wrong; point at the help too.
    throw new ConfigurationError(
      `${(error as Error).message.split('\n')[0]} Run "tidings --help" for the flags.`,
    );
  }
  const [command, ...positionals] = parsed.positionals;
  if (command === undefined) return { command, positionals, flags: parsed.values };
  const allowed = commandFlags[command];
  if (!allowed) {
    throw new ConfigurationError(
      `Unknown command "${command}". Use one of: ${Object.keys(commandFlags).join(', ')} (tidings --help).`,
    );
  }
  for (const flag of Object.keys(parsed.values) as Flag[]) {
    if (flag !== 'help' && !allowed.includes(flag)) {
      throw new ConfigurationError(
        `--${flag} does not apply to "tidings ${command}". Run "tidings ${command} --help".`,
      );
    }
  }
  return { command, positionals, flags: parsed.values };
}

export const usage = `tidings — look into a Tidings outbox: events, backlog, dead letters, causation.

Usage: tidings <command> [flags]

Commands
  inspect                 Serve the web inspector on 127.0.0.1 (prints a URL with an access token)
      --port, -p <n>        port (default 0: any free port)
      --host <addr>         interface (default 127.0.0.1; anything else exposes the audit log)
      --allow-redrive       let the page redrive dead letters (default: read-only)
      --catalog <file.ts>   module exporting \`catalog\`, for event descriptions
  events                  The audit log, oldest first (the newest --limit events)
      --type, -t <type>     event type (repeat, or comma-separate)
      --subject, -s <T:id>  the aggregate, e.g. Order:o-1001
      --correlation, -c <id>  one story
      --since <ISO>  --until <ISO>
      --limit, -n <n>       at most n events (default 50, max 1000)
      --follow, -f          keep printing new events until Ctrl-C
      --json                one JSON object per line ({ position, event })
  outbox                  Backlog, lag (oldest pending age) and status per consumer
  dead-letters            Dead letters with their reasons, both kinds: outbox deliveries the relay
                          gave up on, and messages the consumer received and gave up on
                          [--consumer c] [--since <ISO>] [--limit n]
  redrive <eventId> <consumer>   make one outbox delivery pending again (also: dead-letters redrive)
  redrive <receivedId>           ask for a received dead letter to be republished to its group
  redrive --all [--consumer c]   all of both kinds (or one consumer's)
  asyncapi --catalog <file.ts>               print the AsyncAPI document of a catalog
           [--binding http|kafka|amqp|nats|sns-sqs|redis]   headers as that broker's binding carries them

Store (every command but asyncapi)
  --db, -d <file | url>              SQLite file, postgres:// or mysql:// URL (env TIDINGS_DB, then DATABASE_URL)
  --schema <name>                    PostgreSQL schema (default public)
  --table-prefix <prefix>            table prefix (default tidings_)

  --json    machine-readable output;  NO_COLOR=1 turns colours off
Exit codes: 0 ok, 1 unexpected failure, 2 bad flags, database or file (one line says what and how to fix).
`;
