/**
 * Turning driver errors into Tidings errors: a StoreError that says which operation failed,
 * what the server said and what to do, with the driver's error kept as `cause`. Tidings
 * errors (configuration, closed, schema) pass through unchanged.
 */
import { StoreError, TidingsError } from '@tidings/core';

interface MysqlErrorFields {
  readonly code?: string;
  readonly errno?: number;
  readonly sqlState?: string;
  readonly sqlMessage?: string;
}

const fieldsOf = (error: unknown): MysqlErrorFields =>
  (typeof error === 'object' && error !== null ? error : {}) as MysqlErrorFields;

/** InnoDB gave up on a lock (deadlock victim, or lock wait timeout): the statement may simply be retried. */
export function isLockConflict(error: unknown): boolean {
  const { errno } = fieldsOf(error);
  return errno === 1213 || errno === 1205;
}

export function storeFailure(operation: string, error: unknown): Error {
  if (TidingsError.is(error)) return error;
  const fields = fieldsOf(error);
  const message = fields.sqlMessage ?? (error instanceof Error ? error.message : String(error));
  const details = {
    operation,
    ...(fields.code ? { mysqlCode: fields.code } : {}),
    ...(fields.errno ? { errno: fields.errno } : {}),
  };
  if (operation === 'append' && fields.errno === 1062) {
    return new StoreError(
      `An event id was appended twice (${message}); event ids must be unique. ` +
        'Create each event once, or skip appending events the outbox already holds.',
      { cause: error, details },
    );
  }
  return new StoreError(
    `MySQL outbox store could not ${operation}: ${message}` +
      (fields.code ? ` (${fields.code})` : '') +
      '. Check that the database is reachable and the store was created with the right database and prefix.',
    { cause: error, details },
  );
}
