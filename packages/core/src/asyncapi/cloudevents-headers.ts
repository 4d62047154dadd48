/**
 * The CloudEvents attributes of an event as JSON Schema, for one broker binding: in binary
 * mode the message headers schema (names as the binding spells them, values are strings),
 * in structured mode the schema of the whole JSON document with the payload as `data`. One
 * per event type, with its type and payload version fixed, so a consumer can check a
 * broker message against it.
 */
import type { EventDefinition } from '../event/define-event.ts';
import type { BindingLayout } from './bindings.ts';

const text = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  description,
  ...extra,
});

/** The attributes Tidings writes, by CloudEvents name. */
function attributes(
  definition: EventDefinition,
  source: string | undefined,
  layout: BindingLayout,
): Record<string, Record<string, unknown>> {
  const metadata = layout.percentEncoded
    ? 'Other metadata: a JSON object of strings, percent-encoded.'
    : 'Other metadata: a JSON object of strings.';
  return {
    specversion: text('CloudEvents version.', { const: '1.0' }),
    id: text('Event id (UUIDv7, time-ordered); brokers with dedup use it as the message id.'),
    type: text('Event type.', { const: definition.type }),
    source: text('Producing service.', source === undefined ? {} : { examples: [source] }),
    time: text('When it happened, ISO-8601 UTC. A consumer takes the broker time where it is missing.', {
      format: 'date-time',
    }),
    dataversion: text('Payload version; older ones are upcast by consumers. Missing: the current one.', {
      const: String(definition.version),
    }),
    subject: text('Id of the aggregate the event is about.'),
    subjecttype: text('Type of that aggregate.'),
    subjectsequence: text("The event's position among its aggregate's events, from 1.", {
      pattern: '^[0-9]+$',
    }),
    correlationid: text('Shared by every event of one story. Missing: the event id.'),
    causationid: text('Id of the event that caused this one.'),
    traceparent: text('W3C Trace Context of the span that created the event.', {
      pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.*)?$',
    }),
    tracestate: text('W3C Trace Context vendor state.'),
    metadata: text(metadata),
  };
}

/** What a producer must set; a consumer defaults the rest (time, dataversion, correlationid). */
const required = ['specversion', 'id', 'type', 'source'];

/** JSON Schema of the headers of `definition`'s messages in a binary-mode binding. */
export function cloudEventsHeadersSchema(
  definition: EventDefinition,
  source: string | undefined,
  layout: BindingLayout,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(attributes(definition, source, layout))) {
    properties[`${layout.prefix}${name}`] = schema;
  }
  if (layout.contentType === 'header') {
    properties['content-type'] = text('Payload media type.', { const: 'application/json' });
  }
  return { type: 'object', properties, required: required.map((name) => `${layout.prefix}${name}`) };
}

/** JSON Schema of a structured-mode document of `definition`, its payload as `data`. */
export function cloudEventsDocumentSchema(
  definition: EventDefinition,
  source: string | undefined,
  layout: BindingLayout,
  payload: unknown,
): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      ...attributes(definition, source, layout),
      datacontenttype: text('Media type of `data`.', { const: 'application/json' }),
      data: payload,
    },
    required: [...required, 'data'],
  };
}
