/**
 * Events to transport messages and back: CloudEvents binary mode out (each transport maps
 * core's `ce-*` headers to its broker's binding), binary or structured mode in, topic =
 * event type (optionally prefixed), key = the subject, id = the event id.
 */
import { type CodecOptions, decodeMessage, encodeBinary, type FallbackTime } from '../codec/cloudevents.ts';
import type { Catalog, RawEvent } from '../event/catalog.ts';
import { type AnyDomainEvent, orderingKey } from '../event/envelope.ts';
import type { TransportMessage } from './transport.ts';

export interface MessageOptions extends CodecOptions {
  /** Topic of an event; default: its definition's `topic` in `catalog`, else its type. */
  readonly topic?: (event: AnyDomainEvent) => string;
  /** Where the definitions' topics are looked up. */
  readonly catalog?: Pick<Catalog, 'get'> | undefined;
}

/**
 * The topic (ordered lane) of an event type: the definition's `topic` (all event types of
 * one aggregate can share one, so a subject's events keep their order across types), else
 * the type. The relay and the consumer both derive topics through it, so they agree.
 */
export function topicOfType(type: string, catalog: Pick<Catalog, 'get'> | undefined): string {
  return catalog?.get(type)?.topic ?? type;
}

export function toTransportMessage(event: AnyDomainEvent, options: MessageOptions = {}): TransportMessage {
  const { headers, body } = encodeBinary(event, options);
  return {
    id: event.id,
    topic: options.topic ? options.topic(event) : topicOfType(event.type, options.catalog),
    key: orderingKey(event),
    headers,
    body,
  };
}

/**
 * Reads a received message, binary or structured mode, back into a raw envelope (validate
 * it with a catalog). An event without `time` gets the broker's timestamp of the message
 * (`publishedAt`) or else `receivedAt`, marked in metadata `timesource`.
 */
export function fromTransportMessage(
  message: Pick<TransportMessage, 'headers' | 'body'> & { readonly publishedAt?: string },
  receivedAt: () => string = () => new Date().toISOString(),
): RawEvent {
  const fallbackTime: FallbackTime =
    message.publishedAt === undefined
      ? new ReceivedTime(receivedAt)
      : { time: message.publishedAt, source: 'broker' };
  return decodeMessage(message, { fallbackTime });
}

/**
 * The receive time, read only when the event has no `time` of its own (a foreign
 * producer's): an ISO string per message for nothing was a share of the decode. A class, so
 * the getter lives on one prototype; an object literal with a getter cost a new accessor
 * and closure per message.
 */
class ReceivedTime implements FallbackTime {
  readonly source = 'received' as const;
  readonly #receivedAt: () => string;
  constructor(receivedAt: () => string) {
    this.#receivedAt = receivedAt;
  }
  get time(): string {
    return this.#receivedAt();
  }
}
