/**
 * `extend`: pushes the leases a relay still holds to a new end. MySQL's UPDATE returns no
 * rows, only a count of the rows it matched (mysql2 connects with FOUND_ROWS): when that is
 * every ref, the one UPDATE is the whole call; only when some lease was lost does a second
 * statement read which ones the UPDATE extended.
 */
import type { DeliveryRef } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';
import { matchingOwned } from './outcomes.ts';

/** Extends the refs still pending under their owner's lease to `until`. */
export function extendStatement(names: TableNames, refs: readonly DeliveryRef[], until: number): Statement {
  const { condition, values } = matchingOwned(refs);
  return {
    sql: `UPDATE ${names.deliveries} SET lease_until = ? WHERE ${condition} AND status = 'pending'`,
    values: [until, ...values],
  };
}

/** Which of `refs` the extend statement extended: their lease now ends at `until`. */
export function extendedStatement(names: TableNames, refs: readonly DeliveryRef[], until: number): Statement {
  const { condition, values } = matchingOwned(refs);
  return {
    sql: `SELECT event_id, consumer FROM ${names.deliveries}
      WHERE ${condition} AND status = 'pending' AND lease_until = ?`,
    values: [...values, until],
  };
}
