/**
 * Broker facts of one delivery (a Kafka partition and offset, an AMQP delivery tag, an SQS
 * queue URL) kept beside the received message rather than in it, so the message a handler,
 * a dead-letter record or a test sees stays the plain Transport shape. A transport notes
 * them where it builds the message and reads them back in `telemetry.receive`.
 */
import type { MessagingAttributes } from './messaging.ts';

export interface DeliveryNotes {
  /** Remembers `attributes` for `message` while the message lives; returns the message. */
  note<M extends object>(message: M, attributes: MessagingAttributes): M;
  /** What was noted for `message`, or nothing. */
  of(message: object): MessagingAttributes;
}

/**
 * @example
 * const notes = createDeliveryNotes();
 * const received = notes.note(toReceived(record), { 'messaging.kafka.offset': 42 });
 * notes.of(received); // { 'messaging.kafka.offset': 42 }
 */
export function createDeliveryNotes(): DeliveryNotes {
  const notes = new WeakMap<object, MessagingAttributes>();
  return {
    note(message, attributes) {
      notes.set(message, attributes);
      return message;
    },
    of: (message) => notes.get(message) ?? {},
  };
}
