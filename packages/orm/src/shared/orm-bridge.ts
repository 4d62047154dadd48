/**
 * The bridge port: the few things an ORM adapter tells the shared store view about its ORM.
 * Each adapter (Drizzle, Kysely, TypeORM, Prisma) is one bridge of a few dozen lines.
 */
import type { SqliteConnection } from './stores.ts';

export interface OrmBridge<Tx> {
  /** The ORM's name, for error messages ("Drizzle"). */
  readonly orm: string;
  /** What to pass instead of a wrong handle, for error messages. */
  readonly expected: string;
  /** Runs `work` in one ORM transaction; MUST roll back and rethrow when `work` throws. */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** True when `handle` is a handle of this ORM on an open transaction. MUST NOT do I/O. */
  inTransaction(handle: unknown): handle is Tx;
  /**
   * Runs one parameterised statement (in the driver's placeholder style) on the transaction
   * of `tx`, resolving with the rows it inserted or returned. Absent: SQLite stores only, or
   * `storeHandle` instead.
   */
  query?(tx: Tx, text: string, values: unknown[]): Promise<{ readonly rowCount: number | null }>;
  /**
   * The handle to give the wrapped store instead of a `query` shim, for stores that check
   * the driver's connection themselves (MySQL: the mysql2 connection under `tx`).
   */
  storeHandle?(tx: Tx): unknown;
  /** The better-sqlite3 connection under `tx`, when the ORM reveals it. */
  connection?(tx: Tx): SqliteConnection | undefined;
}
