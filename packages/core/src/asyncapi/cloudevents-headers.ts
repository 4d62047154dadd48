/**
 * The message headers schema of an event in CloudEvents binary mode, as the codec writes
 * them (`ce-` attributes, values are strings): one per event type, with its type and
 * payload version fixed, so a consumer can check a broker message against it.
 */
import type { EventDefinition } from '../event/define-event.ts';

const text = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  description,
  ...extra,
});

/** JSON Schema of the headers of `definition`'s messages. */
export function cloudEventsHeadersSchema(
  definition: EventDefinition,
  source?: string,
): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      'ce-specversion': text('CloudEvents version.', { const: '1.0' }),
      'ce-id': text('Event id (UUIDv7, time-ordered); brokers with dedup use it as the message id.'),
      'ce-type': text('Event type.', { const: definition.type }),
      'ce-source': text('Producing service.', source === undefined ? {} : { examples: [source] }),
      'ce-time': text('When it happened, ISO-8601 UTC.', { format: 'date-time' }),
      'ce-dataversion': text('Payload version; older ones are upcast by consumers.', {
        const: String(definition.version),
      }),
      'ce-subject': text('Id of the aggregate the event is about.'),
      'ce-subjecttype': text('Type of that aggregate.'),
      'ce-subjectsequence': text("The event's position among its aggregate's events, from 1.", {
        pattern: '^[0-9]+$',
      }),
      'ce-correlationid': text('Shared by every event of one story.'),
      'ce-causationid': text('Id of the event that caused this one.'),
      'ce-traceparent': text('W3C Trace Context of the span that created the event.', {
        pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$',
      }),
      'ce-tracestate': text('W3C Trace Context vendor state.'),
      'ce-metadata': text('Other metadata: a JSON object of strings, percent-encoded.'),
      'content-type': text('Payload media type.', { const: 'application/json' }),
    },
    required: [
      'ce-specversion',
      'ce-id',
      'ce-type',
      'ce-source',
      'ce-time',
      'ce-dataversion',
      'ce-correlationid',
    ],
  };
}
