/**
 * The audit-log filter as people type it — `--type`, `--subject Type:id`, `--since ISO` on
 * the command line, the same names in `/api/events?…` — checked and turned into the
 * store's EventQuery. A bad value is refused with the value and the expected form.
 */
import { ConfigurationError, type EventQuery } from '@tidings/core';
import { describeValue } from '@tidings/core/spi';

export interface EventFilter {
  /** Event types; several allowed, or one comma-separated string. */
  readonly type?: string | readonly string[] | undefined;
  /** The aggregate, as `Type:id`. */
  readonly subject?: string | undefined;
  readonly correlation?: string | undefined;
  readonly causation?: string | undefined;
  /** Inclusive lower bound on `occurredAt`, ISO-8601. */
  readonly since?: string | undefined;
  /** Exclusive upper bound on `occurredAt`, ISO-8601. */
  readonly until?: string | undefined;
  /** Only events after this audit-log position. */
  readonly after?: string | number | undefined;
  readonly limit?: string | number | undefined;
  readonly order?: string | undefined;
}

/** The most events one read may return. */
export const maxLimit = 1000;

/**
 * @example
 * toEventQuery({ type: 'shop.OrderPlaced', subject: 'Order:o-1', limit: '20' });
 * // { types: ['shop.OrderPlaced'], subject: { type: 'Order', id: 'o-1' }, limit: 20 }
 */
export function toEventQuery(filter: EventFilter, defaultLimit = 100): EventQuery {
  const query: { -readonly [K in keyof EventQuery]: EventQuery[K] } = {};
  const types = (typeof filter.type === 'string' ? [filter.type] : (filter.type ?? []))
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (types.length > 0) query.types = types;
  if (filter.subject !== undefined && filter.subject !== '') {
    const at = filter.subject.indexOf(':');
    if (at <= 0 || at === filter.subject.length - 1) {
      throw new ConfigurationError(
        `subject ${describeValue(filter.subject)} is not of the form Type:id (e.g. Order:o-1001).`,
      );
    }
    query.subject = { type: filter.subject.slice(0, at), id: filter.subject.slice(at + 1) };
  }
  if (filter.correlation) query.correlationId = filter.correlation;
  if (filter.causation) query.causationId = filter.causation;
  if (filter.since) query.from = isoDate('since', filter.since);
  if (filter.until) query.to = isoDate('until', filter.until);
  if (filter.after !== undefined && filter.after !== '') {
    query.afterPosition = integer('after', filter.after, 0, Number.MAX_SAFE_INTEGER);
  }
  query.limit =
    filter.limit === undefined || filter.limit === ''
      ? defaultLimit
      : integer('limit', filter.limit, 1, maxLimit);
  if (filter.order !== undefined && filter.order !== '') {
    if (filter.order !== 'asc' && filter.order !== 'desc') {
      throw new ConfigurationError(`order ${describeValue(filter.order)} must be "asc" or "desc".`);
    }
    query.order = filter.order;
  }
  return query;
}

// A date and time without a zone means UTC, as every time the inspector shows is UTC (and
// not the server's local time, which is what Date.parse would assume).
const withoutZone = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?$/;

function isoDate(name: string, value: string): string {
  const time = Date.parse(withoutZone.test(value.trim()) ? `${value.trim()}Z` : value);
  if (Number.isNaN(time)) {
    throw new ConfigurationError(
      `${name} ${describeValue(value)} is not a date. Use ISO-8601, e.g. 2026-11-26T07:00:00Z or 2026-11-26.`,
    );
  }
  return new Date(time).toISOString();
}

function integer(name: string, value: string | number, min: number, max: number): number {
  const number = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new ConfigurationError(
      `${name} ${describeValue(value)} must be a whole number from ${min} to ${max}.`,
    );
  }
  return number;
}
