/**
 * A round's outcomes as the statements that apply them, for one transaction: every `done`
 * in one UPDATE, every `released` in another, and each failed try (retry or dead) as its
 * own owner-checked UPDATE, since each carries its own error and time.
 */
import { checkOutcomes, type DeliveryOutcome } from '@tidings/core/spi';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';
import { completeStatement, failStatement, releaseStatement } from './outcomes.ts';

/** The port's outcome type, under the name this package exported first. */
export type MysqlDeliveryOutcome = DeliveryOutcome;

export function settleStatements(
  names: TableNames,
  outcomes: readonly MysqlDeliveryOutcome[],
  now: number,
): Statement[] {
  checkOutcomes(outcomes);
  const done = outcomes.filter((o) => o.outcome === 'done');
  const released = outcomes.filter((o) => o.outcome === 'released');
  const statements: Statement[] = [];
  if (done.length > 0) statements.push(completeStatement(names, done, now));
  for (const o of outcomes) {
    if (o.outcome === 'retry')
      statements.push(failStatement(names, o, { error: o.error, retryAt: o.retryAt }, now));
    if (o.outcome === 'dead')
      statements.push(failStatement(names, o, { error: o.error, retryAt: null }, now));
  }
  if (released.length > 0) statements.push(releaseStatement(names, released));
  return statements;
}
