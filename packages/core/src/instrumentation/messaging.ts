/**
 * How a transport describes its messages to tracing, in the words of the OpenTelemetry
 * messaging semantic conventions (`messaging.system`, `messaging.destination.name`, the
 * broker's own `messaging.<system>.*` attributes). Core only carries these facts from the
 * transport to the installed instrumentation; it never reads them.
 */
import type { ReceivedMessage, TransportMessage } from '../transport/transport.ts';

/** Span attribute values by OpenTelemetry attribute name. */
export type MessagingAttributes = Readonly<Record<string, string | number>>;

/**
 * A transport's optional telemetry member. Both functions MUST be pure (no I/O), cheap and
 * MUST NOT throw: they run on every traced send and handler run.
 */
export interface TransportTelemetry {
  /**
   * Attributes of sending `message`. MUST include `messaging.system` (a well-known value
   * of the conventions, else a lowercase custom one) and `messaging.destination.name`.
   */
  send(message: TransportMessage): MessagingAttributes;
  /**
   * Attributes of processing `message`, delivered to consumer group `group`. MUST include
   * `messaging.system` and `messaging.destination.name`; SHOULD include the partition,
   * offset or delivery tag where the broker has one.
   */
  receive(message: ReceivedMessage, group: string): MessagingAttributes;
}

/** Where a consumer got the message a handler run works on. */
export interface HandlerDelivery {
  /** The transport's `name`. */
  readonly transport: string;
  readonly telemetry?: TransportTelemetry | undefined;
  /** The consumer group the message was delivered to. */
  readonly group: string;
  readonly message: ReceivedMessage;
}

/**
 * `server.address` and `server.port` of a `host:port` (or `scheme://host:port/…` URL), for
 * a transport's telemetry; nothing when it cannot be read. Credentials are never kept.
 *
 * @example
 * serverAttributes('amqp://guest:guest@mq.internal:5672', 5672); // { 'server.address': 'mq.internal', 'server.port': 5672 }
 */
export function serverAttributes(location: string | undefined, defaultPort?: number): MessagingAttributes {
  if (!location) return {};
  let url: URL;
  try {
    url = new URL(location.includes('://') ? location : `tcp://${location}`);
  } catch {
    return {};
  }
  const address = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!address) return {};
  const port = url.port ? Number(url.port) : defaultPort;
  return port === undefined
    ? { 'server.address': address }
    : { 'server.address': address, 'server.port': port };
}
