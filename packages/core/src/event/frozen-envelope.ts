/**
 * The frozen envelope both ways in: `create` builds it from a schema-checked payload, the
 * catalog from a decoded message or row. Same literal shapes, same key order, either way.
 */
import type { AnyDomainEvent, EventSubject } from './envelope.ts';

/** Events without metadata share one frozen empty map. */
export const noMetadata: Readonly<Record<string, string>> = Object.freeze({});

/** A frozen copy of a subject: its three fields, in one literal shape. */
function frozenSubject(subject: EventSubject): EventSubject {
  return Object.freeze(
    subject.sequence === undefined
      ? { type: subject.type, id: subject.id }
      : { type: subject.type, id: subject.id, sequence: subject.sequence },
  );
}

/**
 * The frozen envelope, built as one object literal per combination of the optional fields
 * (same key order in each): adding the fields one by one and copying the subject generically
 * cost about a sixth of `create` (docs/benchmarks.md, create), and a generic deep freeze of a
 * decoded envelope ~5 % of a consumer's CPU.
 */
export function envelope(
  id: string,
  type: string,
  version: number,
  occurredAt: string,
  subject: EventSubject | undefined,
  correlationId: string,
  causationId: string | undefined,
  metadata: Readonly<Record<string, string>>,
  payload: unknown,
): AnyDomainEvent {
  if (subject) {
    const frozen = frozenSubject(subject);
    return Object.freeze(
      causationId === undefined
        ? { id, type, version, occurredAt, subject: frozen, correlationId, metadata, payload }
        : { id, type, version, occurredAt, subject: frozen, correlationId, causationId, metadata, payload },
    );
  }
  return Object.freeze(
    causationId === undefined
      ? { id, type, version, occurredAt, correlationId, metadata, payload }
      : { id, type, version, occurredAt, correlationId, causationId, metadata, payload },
  );
}
