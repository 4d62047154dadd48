/**
 * For ORMs that keep their mysql2 (or mariadb) connection private (Kysely, Prisma): the part
 * of a mysql2 promise connection that the MySQL store uses on a caller's transaction,
 * `query({ sql }, values)` resolving to `[result header]`, run through the ORM's own raw
 * query on that transaction. No `serverStatus` comes back, so the store cannot check the
 * transaction itself; the adapter's bridge has already checked that the handle is one.
 */
export type RunSql = (sql: string, values: unknown[]) => Promise<{ readonly rowCount: number | null }>;

export function mysqlConnectionShim(run: RunSql) {
  return {
    async query(options: { readonly sql: string }, values: unknown[] = []) {
      const { rowCount } = await run(options.sql, values);
      return [{ affectedRows: rowCount ?? 0 }];
    },
  };
}
