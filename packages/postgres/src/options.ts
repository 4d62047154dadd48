/**
 * Options of the PostgreSQL outbox store and their validation: a bad option fails at once,
 * naming the value, rather than as an SQL error on the first append. Also derives the
 * quoted table names and the LISTEN/NOTIFY channel every other module splices into SQL.
 */
import { createHash } from 'node:crypto';
import { ConfigurationError } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';
import type { ClientBase, Pool } from 'pg';

/**
 * The transaction handle: a `pg` client on which `BEGIN` has run (yours, or the one
 * `store.transaction` checked out). Run your own writes on it.
 */
export type PgTx = ClientBase;

/**
 * What `append` and `markProcessed` need of a transaction handle: one parameterised
 * statement run on the open transaction. A `pg` client is one; ORM adapters pass one that
 * runs on the ORM's transaction. It MUST run `text` inside the caller's transaction (never
 * autocommit) and resolve with the number of rows the statement inserted or returned.
 */
export interface PgQueryable {
  query(text: string, values: unknown[]): Promise<{ readonly rowCount: number | null }>;
}

export interface PostgresOutboxStoreOptions {
  /** A pool to use; the store never ends it. Give this or `connectionString`. */
  readonly pool?: Pool;
  /** Where to connect when no `pool` is given; the store creates and ends its own pool. */
  readonly connectionString?: string;
  /** Schema of the tables, an SQL identifier, created when missing. Default `'public'`. */
  readonly schema?: string;
  /** Prefix of every table name, an SQL identifier prefix. Default `'tidings_'`. */
  readonly tablePrefix?: string;
  /**
   * Milliseconds since epoch. Every lease, retry, age and retention comparison uses this
   * value (sent as a parameter, never SQL `now()`), so tests can drive time. Default `Date.now`.
   */
  readonly clock?: () => number;
  /** Send `pg_notify` on append and LISTEN for `onAppend`. Default true. */
  readonly notify?: boolean;
  /**
   * What `settle` does with a delivery that is done, so the table claims scan holds only
   * pending and dead rows however many events were delivered:
   * - `'archive'` (default): moves it to `<prefix>deliveries_done` in the same statement;
   *   `deliveries(eventId)` and `stats()` still report it, `prune` removes it with its event.
   * - `'delete'`: deletes it; `deliveries(eventId)` then lists only pending and dead
   *   deliveries and `stats()` counts no done ones. The event stays in the audit log until `prune`.
   * - `'keep'`: marks it done in place (the claim table grows; prune with the relay's `retention`).
   */
  readonly completion?: CompletionMode;
}

export type CompletionMode = 'archive' | 'delete' | 'keep';

/** Quoted, schema-qualified names of the store's objects. */
export interface TableNames {
  /** The schema name as given, unquoted. */
  readonly schemaName: string;
  readonly schema: string;
  readonly events: string;
  readonly deliveries: string;
  /** Where `completion: 'archive'` moves done deliveries. */
  readonly done: string;
  /** One row per (consumer, ordering key) queue with pending deliveries; what claims scan. */
  readonly queues: string;
  readonly inbox: string;
  readonly migrations: string;
  /** Builds a quoted index name (indexes live in the table's schema, so no qualification). */
  index(suffix: string): string;
  /** The LISTEN/NOTIFY channel, unquoted (it is passed to `pg_notify` as a value). */
  readonly channel: string;
  /** Key of the advisory lock that serialises migrations of this schema and prefix. */
  readonly lockKey: number;
}

export interface ResolvedOptions {
  readonly names: TableNames;
  readonly clock: () => number;
  readonly notify: boolean;
  readonly completion: CompletionMode;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The longest derived name is `<prefix>deliveries_pending_idx`; PostgreSQL truncates names past 63 bytes.
const maxPrefixLength = 32;

const quote = (name: string): string => `"${name}"`;

function checkIdentifier(option: string, value: unknown, max: number, allowEmpty: boolean): string {
  if (
    typeof value === 'string' &&
    ((allowEmpty && value === '') || (identifier.test(value) && value.length <= max))
  ) {
    return value;
  }
  throw new ConfigurationError(
    `${option} ${describeValue(value)} is not a valid SQL identifier${allowEmpty ? ' prefix' : ''}. ` +
      `Use letters, digits and underscores only, not starting with a digit, at most ${max} characters ` +
      `(e.g. ${option === 'schema' ? '"public"' : '"tidings_"'}).`,
    { details: { [option]: value } },
  );
}

export function resolveOptions(options: PostgresOutboxStoreOptions): ResolvedOptions {
  const { pool, connectionString, clock = Date.now, notify = true } = options;
  if ((pool === undefined) === (connectionString === undefined)) {
    throw new ConfigurationError(
      'createPostgresOutboxStore needs exactly one of `pool` or `connectionString`; ' +
        `got ${pool === undefined ? 'neither' : 'both'}. Pass a pg Pool, or a URL like "postgres://user@host:5432/db".`,
    );
  }
  if (typeof clock !== 'function') {
    throw new ConfigurationError(
      `clock must be a function returning milliseconds since epoch; got ${describeValue(clock)}.`,
    );
  }
  const schema = checkIdentifier('schema', options.schema ?? 'public', 63, false);
  const prefix = checkIdentifier('tablePrefix', options.tablePrefix ?? 'tidings_', maxPrefixLength, true);
  const completion = options.completion ?? 'archive';
  if (!['archive', 'delete', 'keep'].includes(completion)) {
    throw new ConfigurationError(
      `completion ${describeValue(completion)} is not a completion mode; use 'archive', 'delete' or 'keep'.`,
      { details: { completion } },
    );
  }
  return { names: tableNames(schema, prefix), clock, notify, completion };
}

function tableNames(schema: string, prefix: string): TableNames {
  const table = (name: string) => `${quote(schema)}.${quote(prefix + name)}`;
  const digest = createHash('sha256').update(`${schema}.${prefix}`).digest();
  const readable = `${schema}.${prefix}outbox`;
  return {
    schemaName: schema,
    schema: quote(schema),
    events: table('events'),
    deliveries: table('deliveries'),
    done: table('deliveries_done'),
    queues: table('queues'),
    inbox: table('inbox'),
    migrations: table('migrations'),
    index: (suffix) => quote(prefix + suffix),
    // Channel names are limited to 63 bytes: fall back to a digest for long schema names.
    channel: readable.length <= 63 ? readable : `tidings_${digest.toString('hex').slice(0, 40)}`,
    lockKey: digest.readInt32BE(0),
  };
}
