/**
 * The Prisma adapter: the outbox and inbox inside Prisma's interactive
 * `$transaction(async (tx) => …)`, with a driver adapter (Prisma 7's `@prisma/adapter-pg`).
 * The store's statements run through `tx.$executeRawUnsafe`, on the transaction's connection.
 * Typed structurally from your generated client, so this module imports nothing of Prisma.
 */
import type { OrmBridge } from '../shared/orm-bridge.ts';
import { createOrmOutboxStore, type OrmOutboxStore } from '../shared/orm-outbox-store.ts';
import type { QueryableStore } from '../shared/stores.ts';

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
  /** The PostgreSQL outbox store, on the same database. */
  readonly store: QueryableStore;
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

// Prisma reports a failed raw query as P2010 and keeps the database's SQLSTATE in `meta`;
// hand the store an error carrying it, so it can say what went wrong (e.g. a duplicate id).
function driverError(error: unknown): unknown {
  const meta = (
    error as { meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } }
  )?.meta;
  const code = meta?.driverAdapterError?.cause?.originalCode ?? meta?.code;
  if (typeof code !== 'string') return error;
  return Object.assign(new Error((error as Error).message, { cause: error }), { code });
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
    async query(tx, text, values) {
      // $executeRaw, not $queryRaw: Prisma cannot read some result columns (the append's
      // pg_notify is `void`), and the store needs only the count.
      try {
        return { rowCount: await tx.$executeRawUnsafe(text, ...values) };
      } catch (error) {
        throw driverError(error);
      }
    },
  };
  return createOrmOutboxStore(store, bridge);
}
