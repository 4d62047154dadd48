/**
 * Event definitions: the type name, the payload schema (any Standard Schema: zod, valibot,
 * arktype…), the current version and the upcasters that lift older payloads to it.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { isoTime } from '../codec/iso-time.ts';
import { ConfigurationError, errorMessage, ValidationError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import { currentInstrumentation } from '../instrumentation/hooks.ts';
import { currentEvent } from './ambient.ts';
import type { AnyDomainEvent, DomainEvent, EventSubject } from './envelope.ts';
import { frozenCopy } from './freeze.ts';
import { envelope, noMetadata } from './frozen-envelope.ts';
import { createEventId } from './id.ts';
import { validateSync } from './validate.ts';

/** Lifts a payload of version `n` to version `n + 1`. */
export type Upcaster = (payload: unknown) => unknown;

export interface DefineEventOptions<S extends StandardSchemaV1> {
  readonly schema: S;
  /** Current payload version, from 1. Default 1. */
  readonly version?: number;
  /** `upcasters[n]` lifts version n to n + 1; every version below the current one needs one. */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
  /** Human description, carried into the AsyncAPI document and the inspector. */
  readonly description?: string;
  /**
   * The transport topic (ordered lane) this type travels on. Give every event type of one
   * aggregate the same topic (e.g. `'Order'`), and the events of one subject keep their
   * append order across types over a broker: one topic, one key. Default: the type.
   */
  readonly topic?: string;
  /**
   * The payload version of an event that arrives without `dataversion` (a foreign
   * producer's). Default: the current `version`, so such a payload is never upcast.
   */
  readonly unversionedAs?: number;
}

export interface CreateEventOptions {
  readonly subject?: EventSubject;
  /** The event that caused this one: sets correlation and causation from it. */
  readonly causedBy?: AnyDomainEvent;
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly id?: string;
  readonly occurredAt?: Date | string;
}

export interface EventDefinition<
  Type extends string = string,
  S extends StandardSchemaV1 = StandardSchemaV1,
> {
  readonly type: Type;
  readonly version: number;
  readonly schema: S;
  readonly description: string | undefined;
  /** The transport topic its events travel on (see `DefineEventOptions.topic`). */
  readonly topic: string;
  /** The version of a payload that arrives without one (see `DefineEventOptions.unversionedAs`). */
  readonly unversionedAs: number;
  /**
   * Validates `payload` and returns a deeply frozen event. Throws `ValidationError` naming
   * each failing path, the reason and the offending value.
   *
   * @example
   * const placed = OrderPlaced.create({ orderId: 'o-1', total: 42 }, { subject: { type: 'Order', id: 'o-1' } });
   */
  create(
    payload: StandardSchemaV1.InferInput<S>,
    options?: CreateEventOptions,
  ): DomainEvent<Type, StandardSchemaV1.InferOutput<S>>;
  /** Narrows any event to this definition's type. */
  is(event: AnyDomainEvent): event is DomainEvent<Type, StandardSchemaV1.InferOutput<S>>;
  /** Lifts a payload from `fromVersion` to the current version (no validation). */
  upcast(payload: unknown, fromVersion: number): unknown;
  /** Upcasts and validates a payload of any known version; returns the current payload. */
  parsePayload(payload: unknown, fromVersion?: number): StandardSchemaV1.InferOutput<S>;
}

/** The event type produced by a definition. */
export type EventOf<D> =
  D extends EventDefinition<infer T, infer S> ? DomainEvent<T, StandardSchemaV1.InferOutput<S>> : never;

/** The payload type of a definition. */
export type PayloadOf<D> =
  D extends EventDefinition<string, infer S> ? StandardSchemaV1.InferOutput<S> : never;

const typePattern = /^[A-Za-z][A-Za-z0-9_.:-]{0,199}$/;

function toIso(value: Date | string | undefined): string {
  // Events created in one millisecond share its ISO string.
  if (value === undefined) return isoTime(Date.now());
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) {
    throw new ConfigurationError(`occurredAt must be a valid date, got ${String(value)}`);
  }
  return date.toISOString();
}

/**
 * Defines an event type.
 *
 * @example
 * import { z } from 'zod';
 * const OrderPlaced = defineEvent('OrderPlaced', { schema: z.object({ orderId: z.string(), total: z.number() }) });
 * const event = OrderPlaced.create({ orderId: 'o-1', total: 42 });
 */
export function defineEvent<const Type extends string, S extends StandardSchemaV1>(
  type: Type,
  options: DefineEventOptions<S>,
): EventDefinition<Type, S> {
  if (!typePattern.test(type)) {
    throw new ConfigurationError(
      `Event type ${JSON.stringify(type)} is not valid: use 1-200 letters, digits, "_", ".", ":" or "-", starting with a letter.`,
    );
  }
  if (options.topic !== undefined && !typePattern.test(options.topic)) {
    throw new ConfigurationError(
      `Topic ${JSON.stringify(options.topic)} of event type "${type}" is not valid: use 1-200 letters, digits, "_", ".", ":" or "-", starting with a letter.`,
    );
  }
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 1) {
    throw new ConfigurationError(`Event "${type}": version must be an integer >= 1, got ${version}`);
  }
  const unversionedAs = options.unversionedAs ?? version;
  if (!Number.isInteger(unversionedAs) || unversionedAs < 1 || unversionedAs > version) {
    throw new ConfigurationError(
      `unversionedAs of event type "${type}" must be an integer from 1 to its version ${version}, got ${String(options.unversionedAs)}.`,
    );
  }
  const upcasters = options.upcasters ?? {};
  for (let v = 1; v < version; v++) {
    if (typeof upcasters[v] !== 'function') {
      throw new ConfigurationError(
        `Event "${type}" is at version ${version} but has no upcaster from version ${v} to ${v + 1}; add upcasters[${v}].`,
      );
    }
  }

  const upcast = (payload: unknown, fromVersion: number): unknown => {
    if (!Number.isInteger(fromVersion) || fromVersion < 1 || fromVersion > version) {
      throw new ValidationError(
        `Event "${type}" has no version ${fromVersion}: known versions are 1 to ${version}.`,
        type,
        [{ path: 'version', message: `unknown version`, value: fromVersion }],
      );
    }
    let current = payload;
    for (let v = fromVersion; v < version; v++) {
      try {
        current = (upcasters[v] as Upcaster)(current);
      } catch (error) {
        // An old payload that an upcaster cannot read is bad input, not a crash of the consumer.
        throw new ValidationError(
          `Event "${type}": the upcaster from version ${v} to ${v + 1} failed on payload ${describeValue(current)}: ${errorMessage(error)}`,
          type,
          [{ path: '(root)', message: `upcaster ${v} -> ${v + 1} failed`, value: current }],
          { cause: error },
        );
      }
    }
    return current;
  };

  const definition: EventDefinition<Type, S> = {
    type,
    version,
    schema: options.schema,
    description: options.description,
    topic: options.topic ?? type,
    unversionedAs,
    create(payload, createOptions = {}) {
      const value = validateSync(options.schema, type, payload);
      const cause = createOptions.causedBy ?? currentEvent();
      const id = createOptions.id ?? createEventId();
      // Instrumentation may add defaults (e.g. the active traceparent); explicit keys win.
      const defaults = currentInstrumentation()?.metadataForNewEvent?.(type);
      return envelope(
        id,
        type,
        version,
        toIso(createOptions.occurredAt),
        createOptions.subject,
        createOptions.correlationId ?? cause?.correlationId ?? id,
        createOptions.causationId ?? cause?.id,
        defaults || createOptions.metadata
          ? Object.freeze({ ...defaults, ...createOptions.metadata })
          : noMetadata,
        frozenCopy(value),
      ) as unknown as DomainEvent<Type, StandardSchemaV1.InferOutput<S>>;
    },
    is(event): event is DomainEvent<Type, StandardSchemaV1.InferOutput<S>> {
      return event.type === type;
    },
    upcast,
    parsePayload(payload, fromVersion = version) {
      return validateSync(options.schema, type, upcast(payload, fromVersion));
    },
  };
  return Object.freeze(definition);
}
