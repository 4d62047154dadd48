/**
 * Turning driver errors into Tidings errors: a StoreError that says which operation failed,
 * what PostgreSQL said and what to do, with the driver's error kept as `cause`. Tidings
 * errors (configuration, closed) pass through unchanged.
 */
import { StoreError, TidingsError } from '@tidings/core';

interface PgErrorFields {
  readonly code?: string;
  readonly constraint?: string;
  readonly detail?: string;
}

export function storeFailure(operation: string, error: unknown): Error {
  if (TidingsError.is(error)) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as PgErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  if (operation === 'append' && fields.code === '23505') {
    return new StoreError(
      `An event id was appended twice (${fields.detail ?? message}); event ids must be unique. ` +
        'Create each event once, or skip appending events the outbox already holds.',
      { cause: error, details: { pgCode: fields.code, constraint: fields.constraint } },
    );
  }
  return new StoreError(
    `PostgreSQL outbox store could not ${operation}: ${message}` +
      (fields.code ? ` (SQLSTATE ${fields.code})` : '') +
      '. Check that the database is reachable and the store was created with the right schema and prefix.',
    { cause: error, details: { operation, ...(fields.code ? { pgCode: fields.code } : {}) } },
  );
}
