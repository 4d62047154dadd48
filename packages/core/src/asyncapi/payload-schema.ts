/**
 * The JSON Schema of an event's payload, for the AsyncAPI document. Uses the Standard JSON
 * Schema interface (`schema['~standard'].jsonSchema`, offered by zod 4.2+ and others) when
 * the schema has it, or a converter the caller passes (e.g. `@valibot/to-json-schema`);
 * otherwise an open schema `{}` with a note saying why, never a failure.
 */
import type { StandardJSONSchemaV1, StandardSchemaV1 } from '@standard-schema/spec';
import { errorMessage } from '../errors/errors.ts';
import type { EventDefinition } from '../event/define-event.ts';

/** Converts a payload schema to JSON Schema (draft-07); undefined when it cannot. */
export type JsonSchemaConverter = (
  schema: StandardSchemaV1,
  definition: EventDefinition,
) => Record<string, unknown> | undefined;

export interface PayloadSchema {
  readonly schema: Record<string, unknown>;
  /** Why the schema is open (`{}`), when it is. */
  readonly note?: string;
}

function hasJsonSchema(schema: StandardSchemaV1): schema is StandardSchemaV1 & StandardJSONSchemaV1 {
  const props = schema['~standard'] as Partial<StandardJSONSchemaV1.Props>;
  return typeof props.jsonSchema?.output === 'function';
}

// AsyncAPI's Schema Object is a superset of draft-07; a root `$schema` only adds noise there.
function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

/** The payload (output) JSON Schema of a definition's current version. */
export function payloadSchemaOf(definition: EventDefinition, convert?: JsonSchemaConverter): PayloadSchema {
  const vendor = definition.schema['~standard'].vendor;
  try {
    const converted = convert?.(definition.schema, definition);
    if (converted) return { schema: withoutDialect(converted) };
    if (hasJsonSchema(definition.schema)) {
      return {
        schema: withoutDialect(definition.schema['~standard'].jsonSchema.output({ target: 'draft-07' })),
      };
    }
  } catch (error) {
    return {
      schema: {},
      note: `The ${vendor} schema of "${definition.type}" could not be converted to JSON Schema: ${errorMessage(error)}`,
    };
  }
  return {
    schema: {},
    note: `The ${vendor} schema of "${definition.type}" does not offer Standard JSON Schema; pass toAsyncApi's jsonSchema option (e.g. @valibot/to-json-schema) to describe it.`,
  };
}
