/**
 * The Prisma adapter: the outbox and inbox inside Prisma's interactive
 * `$transaction(async (tx) => …)`, with a driver adapter (Prisma 7's `@prisma/adapter-pg`).
 * The store's statements run through `tx.$executeRawUnsafe`, on the transaction's connection.
 * Typed structurally from your generated client, so this module imports nothing of Prisma.
 */
import { createRequire } from 'node:module';
import { ConfigurationError } from '@tidings/core';
import { mysqlConnectionShim } from '../shared/mysql-shim.ts';
import type { OrmBridge } from '../shared/orm-bridge.ts';
import { createOrmOutboxStore, type OrmOutboxStore } from '../shared/orm-outbox-store.ts';
import type { DriverConnectionStore, QueryableStore } from '../shared/stores.ts';

/** What the adapter uses of an interactive transaction client. */
export interface PrismaTransactionClient {
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** Options of an interactive transaction (`timeout` defaults to 5 s in Prisma: raise it for slow handlers). */
export interface PrismaTransactionOptions {
  readonly maxWait?: number;
  readonly timeout?: number;
  readonly isolationLevel?: string;
}

/** The least of a generated `PrismaClient` the adapter uses. */
export interface PrismaClientLike<Tx> {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: PrismaTransactionOptions): Promise<R>;
}

export interface PrismaOutboxStoreOptions<Tx> {
  /** Your PrismaClient, created with a driver adapter (`new PrismaClient({ adapter: new PrismaPg(…) })`). */
  readonly prisma: PrismaClientLike<Tx>;
  /** The PostgreSQL (or MySQL, with `@prisma/adapter-mariadb`) outbox store, on the same database. */
  readonly store: QueryableStore | DriverConnectionStore;
  /** Passed to `$transaction` by `outbox.transaction` and the inbox. */
  readonly transactionOptions?: PrismaTransactionOptions;
}

// Prisma marks interactive transaction clients with this registered symbol (7.x, which also
// lets them open nested transactions); older clients have no `$transaction` on them at all.
const scope = Symbol.for('prisma.client.transaction.scope_context');

function isTransactionClient(handle: unknown): boolean {
  if (typeof (handle as Partial<PrismaTransactionClient> | null)?.$executeRawUnsafe !== 'function')
    return false;
  const marked = (handle as Record<symbol, { kind?: unknown } | undefined>)[scope];
  if (marked !== undefined) return marked.kind === 'nested';
  return typeof (handle as { $transaction?: unknown }).$transaction !== 'function';
}

// Prisma reports a failed raw query as P2010 and keeps the database's own error in `meta`;
// hand the store an error with the fields its driver would have set (pg's SQLSTATE `code`,
// mysql2's `errno`), so it can say what went wrong, e.g. a duplicate event id.
interface DriverCause {
  readonly originalCode?: unknown;
  readonly originalMessage?: unknown;
  readonly code?: unknown;
  readonly state?: unknown;
}

function driverError(error: unknown): unknown {
  const meta = (error as { meta?: { code?: unknown; driverAdapterError?: { cause?: DriverCause } } } | null)
    ?.meta;
  const cause = meta?.driverAdapterError?.cause;
  const code = cause?.originalCode ?? meta?.code;
  if (typeof code !== 'string') return error;
  return Object.assign(new Error((error as Error).message, { cause: error }), {
    code,
    // MySQL's error number: numeric `code` on some kinds, only `originalCode` on others.
    ...(typeof cause?.code === 'number'
      ? { errno: cause.code }
      : /^\d+$/.test(code)
        ? { errno: Number(code) }
        : {}),
    ...(typeof cause?.state === 'string' ? { sqlState: cause.state } : {}),
    ...(typeof cause?.originalMessage === 'string' ? { sqlMessage: cause.originalMessage } : {}),
  });
}

/**
 * The MySQL store writes batches as `VALUES ?` with an array of rows, which mysql2 expands
 * on the client; Prisma's MariaDB adapter sends parameters to the server, which cannot. So
 * the statements are formatted (escaped) by mysql2 first, as mysql2's own `query` does: the
 * MySQL store's driver, installed wherever that store is.
 */
function mysqlFormat(): (sql: string, values: unknown[]) => string {
  try {
    return (createRequire(import.meta.url)('mysql2') as { format(sql: string, values: unknown[]): string })
      .format;
  } catch (error) {
    throw new ConfigurationError(
      'createPrismaOutboxStore on MySQL needs mysql2, the MySQL outbox store’s driver, to format its statements: npm i mysql2.',
      { cause: error },
    );
  }
}

/**
 * The outbox store and inbox inside your Prisma interactive transactions: give it to
 * `createOutbox` (and to `createConsumer` as `inbox`), then `outbox.append(tx, events)`
 * inside your own `prisma.$transaction(async (tx) => …)`, or `outbox.transaction(async (tx,
 * record) => …)`. A durable handler's `context.tx` is the transaction client too.
 *
 * @example
 * const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString }) });
 * const store = createPrismaOutboxStore({ prisma, store: createPostgresOutboxStore({ connectionString }) });
 * const outbox = createOutbox({ store, routes: [{ name: 'broker' }] });
 * await prisma.$transaction(async (tx) => {
 *   await tx.order.create({ data: { id: 'o-1' } });
 *   await outbox.append(tx, [OrderPlaced.create({ orderId: 'o-1' })]);
 * });
 */
export function createPrismaOutboxStore<Tx extends PrismaTransactionClient>(
  options: PrismaOutboxStoreOptions<Tx>,
): OrmOutboxStore<Tx> {
  const { prisma, store, transactionOptions } = options;
  const bridge: OrmBridge<Tx> = {
    orm: 'Prisma',
    expected: 'the tx of prisma.$transaction(async (tx) => …), or use outbox.transaction',
    transaction: (work) => prisma.$transaction(work, transactionOptions),
    inTransaction: (handle): handle is Tx => isTransactionClient(handle),
  };
  const query = async (tx: Tx, text: string, values: unknown[]) => {
    // $executeRaw, not $queryRaw: Prisma cannot read some result columns (the append's
    // pg_notify is `void`), and the store needs only the count.
    try {
      return { rowCount: await tx.$executeRawUnsafe(text, ...values) };
    } catch (error) {
      throw driverError(error);
    }
  };
  // The generated client names its provider; on MySQL / MariaDB the store gets a connection shim.
  if ((prisma as { _activeProvider?: unknown })._activeProvider === 'mysql') {
    const format = mysqlFormat();
    bridge.storeHandle = (tx) => mysqlConnectionShim((sql, values) => query(tx, format(sql, values), []));
  } else bridge.query = query;
  return createOrmOutboxStore(store, bridge);
}
