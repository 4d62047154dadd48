/** The audit-log filter semantics, in one place, for stores that filter in memory. */
import type { EventQuery, StoredEvent } from './outbox-store.ts';

export function matchesQuery({ position, event }: StoredEvent, query: EventQuery): boolean {
  if (query.afterPosition !== undefined && position <= query.afterPosition) return false;
  if (query.types && !query.types.includes(event.type)) return false;
  if (
    query.subject &&
    (event.subject?.type !== query.subject.type || event.subject.id !== query.subject.id)
  ) {
    return false;
  }
  if (query.correlationId !== undefined && event.correlationId !== query.correlationId) return false;
  if (query.causationId !== undefined && event.causationId !== query.causationId) return false;
  if (query.from !== undefined && Date.parse(event.occurredAt) < Date.parse(query.from)) return false;
  if (query.to !== undefined && Date.parse(event.occurredAt) >= Date.parse(query.to)) return false;
  return true;
}
