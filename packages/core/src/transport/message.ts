/**
 * Events to transport messages and back: CloudEvents binary mode, topic = event type
 * (optionally prefixed), key = the subject, id = the event id.
 */
import { type CodecOptions, decodeBinary, encodeBinary } from '../codec/cloudevents.ts';
import type { RawEvent } from '../event/catalog.ts';
import { type AnyDomainEvent, orderingKey } from '../event/envelope.ts';
import type { TransportMessage } from './transport.ts';

export interface MessageOptions extends CodecOptions {
  /** Topic of an event; default: its type. */
  readonly topic?: (event: AnyDomainEvent) => string;
}

export function toTransportMessage(event: AnyDomainEvent, options: MessageOptions = {}): TransportMessage {
  const { headers, body } = encodeBinary(event, options);
  return {
    id: event.id,
    topic: options.topic ? options.topic(event) : event.type,
    key: orderingKey(event),
    headers,
    body,
  };
}

/** Reads a received message back into a raw envelope (validate it with a catalog). */
export function fromTransportMessage(message: Pick<TransportMessage, 'headers' | 'body'>): RawEvent {
  return decodeBinary(message);
}
