/**
 * The catalog: every event definition a service knows. It turns untrusted raw envelopes
 * (from a database row or a broker message) into validated, upcast, frozen events, and
 * feeds the AsyncAPI export and the inspector.
 */
import { ConfigurationError, UnknownEventTypeError, ValidationError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import type { EventDefinition } from './define-event.ts';
import type { AnyDomainEvent, EventSubject } from './envelope.ts';
import { frozenCopy } from './freeze.ts';
import { envelope, noMetadata } from './frozen-envelope.ts';

/** An envelope as it arrives: shape checked, payload not yet validated. */
export interface RawEvent {
  readonly id: string;
  readonly type: string;
  /**
   * Payload version; absent when the producer did not say (a foreign CloudEvent without
   * `dataversion`), which the catalog reads as the definition's current version.
   */
  readonly version?: number;
  readonly occurredAt: string;
  readonly subject?: EventSubject;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly payload: unknown;
}

export interface Catalog {
  readonly definitions: readonly EventDefinition[];
  get(type: string): EventDefinition | undefined;
  has(type: string): boolean;
  /**
   * Validates an envelope against its definition, upcasts an older version and returns a
   * frozen event of the current version. Throws `UnknownEventTypeError` or `ValidationError`.
   */
  decode(raw: RawEvent): AnyDomainEvent;
}

/** A frozen copy of decoded metadata; the shared empty map when there is none. */
function frozenMetadata(
  metadata: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  for (const _ in metadata) return Object.freeze({ ...metadata });
  return noMetadata;
}

/**
 * @example
 * const catalog = createCatalog([OrderPlaced, UserRegistered]);
 * const event = catalog.decode(rawFromBroker);
 */
export function createCatalog(definitions: readonly EventDefinition[]): Catalog {
  const byType = new Map<string, EventDefinition>();
  for (const definition of definitions) {
    if (byType.has(definition.type) && byType.get(definition.type) !== definition) {
      throw new ConfigurationError(`The catalog has two definitions of event type "${definition.type}".`);
    }
    byType.set(definition.type, definition);
  }
  return Object.freeze({
    definitions: [...byType.values()],
    get: (type: string) => byType.get(type),
    has: (type: string) => byType.has(type),
    decode(raw: RawEvent): AnyDomainEvent {
      const definition = byType.get(raw.type);
      if (!definition) {
        throw new UnknownEventTypeError(
          `Unknown event type ${describeValue(raw.type)} (event ${describeValue(raw.id)}); known types: ${[...byType.keys()].join(', ') || 'none'}.`,
          { details: { type: raw.type, id: raw.id } },
        );
      }
      // No version (a foreign producer): the definition says which; by default the current
      // one, so the payload is never run through an upcaster by mistake.
      const version = raw.version ?? definition.unversionedAs;
      if (version > definition.version) {
        throw new ValidationError(
          `Event "${raw.type}" ${raw.id} has version ${version}, newer than this service knows (${definition.version}); deploy the newer definition first.`,
          raw.type,
          [{ path: 'version', message: 'newer than known', value: version }],
        );
      }
      const payload = definition.parsePayload(raw.payload, version);
      // The same frozen literal shapes as `create`'s; the payload is frozen as it is copied.
      return envelope(
        raw.id,
        raw.type,
        definition.version,
        raw.occurredAt,
        raw.subject,
        raw.correlationId,
        raw.causationId,
        frozenMetadata(raw.metadata),
        frozenCopy(payload),
      );
    },
  });
}
