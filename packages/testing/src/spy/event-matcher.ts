/**
 * What a test waits for: an event type name, an event definition, or a predicate. Kept
 * apart from the spy so the matching and its wording in failure messages live in one place.
 */
import type { AnyDomainEvent, EventDefinition } from '@tidings/core';

/** An event type name, a definition (which also narrows the result type) or a predicate. */
export type EventMatcher = string | EventDefinition | ((event: AnyDomainEvent) => boolean);

function isDefinition(matcher: EventMatcher): matcher is EventDefinition {
  return typeof matcher === 'object' && matcher !== null && typeof matcher.is === 'function';
}

/** True when `event` is what `matcher` asks for. */
export function matchesEvent(matcher: EventMatcher, event: AnyDomainEvent): boolean {
  if (typeof matcher === 'string') return event.type === matcher;
  if (isDefinition(matcher)) return matcher.is(event);
  return matcher(event);
}

/** The matcher in words, for failure messages. */
export function describeMatcher(matcher: EventMatcher): string {
  if (typeof matcher === 'string') return `a ${matcher} event`;
  if (isDefinition(matcher)) return `a ${matcher.type} event`;
  return matcher.name ? `an event matching ${matcher.name}()` : 'an event matching the predicate';
}
