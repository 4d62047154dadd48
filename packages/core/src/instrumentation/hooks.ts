/**
 * Instrumentation hooks: the one seam through which tracing and metrics packages (such as
 * `@tidings/opentelemetry`) observe core without core depending on them. Core reads one
 * module variable at each hook point, so the cost is a property check when nothing is
 * installed. One instrumentation is active at a time; installing returns an uninstall.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';
import type { TransportMessage } from '../transport/transport.ts';
import type { HandlerDelivery, TransportTelemetry } from './messaging.ts';

/** A relay about to publish one batch to one route's transport. */
export interface PublishBatchInfo {
  /** The outbox route's name. */
  readonly route: string;
  /** The transport's name (e.g. `rabbitmq`, `memory`). */
  readonly transport: string;
  readonly events: readonly AnyDomainEvent[];
  /** The encoded messages, in the order of `events`. */
  readonly messages: readonly TransportMessage[];
  /** The transport's description of its messages, when it has one. */
  readonly telemetry?: TransportTelemetry | undefined;
}

/** One run of a durable handler for one event, by the relay or the consumer runtime. */
export interface HandlerRunInfo {
  readonly handler: string;
  /** The event as delivered (before the catalog upcasts it). */
  readonly event: AnyDomainEvent;
  /** 1 on the first try. */
  readonly attempt: number;
  /** The broker delivery behind the run (consumer runtime); absent when the relay runs it. */
  readonly delivery?: HandlerDelivery | undefined;
}

/** A delivery given up on: it went to the dead letters. */
export interface DeadLetterInfo {
  /** The durable handler or route that gave up. */
  readonly consumer: string;
  readonly event: AnyDomainEvent;
  readonly error: unknown;
}

/**
 * What an instrumentation may do. Every member is optional; a wrapper MUST call `work`
 * exactly once and return (or rethrow) its outcome unchanged.
 */
export interface Instrumentation {
  /** Metadata every new event gets by default (explicit `metadata` keys win), e.g. `traceparent`. */
  metadataForNewEvent?(type: string): Readonly<Record<string, string>> | undefined;
  /** Wraps a relay's publish of one batch to a transport. */
  wrapPublish?<T>(batch: PublishBatchInfo, work: () => Promise<T>): Promise<T>;
  /** Wraps one durable handler run (decode, inbox transaction, timeout, middleware, handler). */
  wrapHandler?<T>(run: HandlerRunInfo, work: () => Promise<T>): Promise<T>;
  /** Told when the relay dead-letters a delivery. Must not throw. */
  onDeadLetter?(info: DeadLetterInfo): void;
}

let active: Instrumentation | undefined;

/** The installed instrumentation, if any. Hook points call this. */
export function currentInstrumentation(): Instrumentation | undefined {
  return active;
}

/**
 * Installs `instrumentation` for the whole process, replacing any other. Returns a
 * function that uninstalls it (restoring the previous one when this one is still active).
 *
 * @example
 * const uninstall = setInstrumentation({
 *   metadataForNewEvent: () => ({ tenant: currentTenant() }),
 * });
 * // …
 * uninstall();
 */
export function setInstrumentation(instrumentation: Instrumentation | undefined): () => void {
  const previous = active;
  active = instrumentation;
  return () => {
    if (active === instrumentation) active = previous;
  };
}
