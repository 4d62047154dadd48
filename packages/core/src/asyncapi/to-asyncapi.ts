/**
 * Exports a catalog as an AsyncAPI 3.0 document: one channel per event type, one message
 * per type (its current payload version, the one producers emit) with the payload JSON
 * Schema and the CloudEvents attributes as the chosen broker binding carries them (binary
 * mode headers, or a structured document where the broker has no binding), and
 * send/receive operations as asked.
 */
import { ConfigurationError } from '../errors/errors.ts';
import { describeValue } from '../errors/tidings-error.ts';
import type { Catalog } from '../event/catalog.ts';
import type { EventDefinition } from '../event/define-event.ts';
import { type AsyncApiBinding, asyncApiBindings, type BindingLayout, bindingLayouts } from './bindings.ts';
import { cloudEventsDocumentSchema, cloudEventsHeadersSchema } from './cloudevents-headers.ts';
import { type JsonSchemaConverter, payloadSchemaOf } from './payload-schema.ts';

/** Event types an operation covers: a list, or every type of the catalog. */
export type EventTypes = readonly string[] | '*';

export interface AsyncApiOptions {
  readonly title: string;
  /** The API's version (not AsyncAPI's). */
  readonly version: string;
  readonly description?: string;
  /** Channel address of an event type; match the transports' topic option. Default: the type. */
  readonly address?: (type: string) => string;
  /** Types this service publishes: `send` operations. Default `'*'`. */
  readonly send?: EventTypes;
  /** Types this service consumes: `receive` operations. Default none. */
  readonly receive?: EventTypes;
  /** CloudEvents `source` the service writes (codec option), shown as an example. */
  readonly source?: string;
  /** Converter for schemas without Standard JSON Schema (e.g. valibot with @valibot/to-json-schema). */
  readonly jsonSchema?: JsonSchemaConverter;
  /** AsyncAPI `servers`, copied as given. */
  readonly servers?: Readonly<Record<string, unknown>>;
  /**
   * The broker whose CloudEvents binding the messages are described in: `kafka` (`ce_`
   * headers), `amqp` (`cloudEvents_` application properties), `nats` (`ce-` headers),
   * `sns-sqs` and `redis` (structured JSON), or `http` (`ce-` headers; the default, and
   * core's own form of `TransportMessage.headers`).
   */
  readonly binding?: AsyncApiBinding;
}

/** An AsyncAPI 3.0 document as plain JSON-ready data. */
export type AsyncApiDocument = Record<string, unknown> & { readonly asyncapi: '3.0.0' };

// Component and channel keys must match ^[\w.-]+$; event types may also contain ':'.
const keyOf = (type: string) => type.replace(/[^\w.-]/g, '_');
const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

function messageOf(
  definition: EventDefinition,
  options: AsyncApiOptions,
  layout: BindingLayout,
): Record<string, unknown> {
  const payload = payloadSchemaOf(definition, options.jsonSchema);
  const notes = [definition.description, payload.note].filter((n): n is string => !!n);
  if (definition.version > 1) {
    notes.push(
      `Payload version ${definition.version}; consumers upcast versions 1 to ${definition.version - 1}.`,
    );
  }
  notes.push(layout.note);
  const binary = layout.mode === 'binary';
  const message: Record<string, unknown> = {
    name: definition.type,
    title: definition.type,
    contentType: binary ? 'application/json' : 'application/cloudevents+json',
    ...(binary ? { headers: cloudEventsHeadersSchema(definition, options.source, layout) } : {}),
    payload: binary
      ? payload.schema
      : cloudEventsDocumentSchema(definition, options.source, layout, payload.schema),
    correlationId: {
      description: 'Shared by every event of one story.',
      location: binary ? `$message.header#/${layout.prefix}correlationid` : '$message.payload#/correlationid',
    },
    'x-tidings-event-version': definition.version,
  };
  if (layout.prefix === 'ce_') {
    message.bindings = {
      kafka: {
        key: { type: 'string', description: 'The subject (aggregate) id: one partition per subject.' },
        bindingVersion: '0.5.0',
      },
    };
  }
  message.description = notes.join('\n\n');
  return message;
}

function layoutOf(binding: AsyncApiBinding = 'http'): BindingLayout {
  const layout = Object.hasOwn(bindingLayouts, binding) ? bindingLayouts[binding] : undefined;
  if (layout === undefined) {
    throw new ConfigurationError(
      `toAsyncApi option binding is ${describeValue(binding)}: it must be one of ${asyncApiBindings.join(', ')}.`,
    );
  }
  return layout;
}

function selected(types: EventTypes | undefined, catalog: Catalog): readonly EventDefinition[] {
  if (types === undefined) return [];
  if (types === '*') return catalog.definitions;
  return types.map((type) => {
    const definition = catalog.get(type);
    if (!definition) {
      throw new ConfigurationError(
        `toAsyncApi: event type "${type}" is not in the catalog; add its definition or drop it from send/receive. Known: ${catalog.definitions.map((d) => d.type).join(', ')}.`,
      );
    }
    return definition;
  });
}

/**
 * @example
 * const document = toAsyncApi(createCatalog([OrderPlaced, UserRegistered]), {
 *   title: 'Shop events',
 *   version: '1.0.0',
 *   send: ['OrderPlaced'],
 *   receive: ['UserRegistered'],
 *   binding: 'kafka',
 * });
 * await writeFile('asyncapi.json', JSON.stringify(document, null, 2));
 */
export function toAsyncApi(catalog: Catalog, options: AsyncApiOptions): AsyncApiDocument {
  const layout = layoutOf(options.binding);
  const address = options.address ?? ((type: string) => type);
  const channels: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const definition of catalog.definitions) {
    const key = keyOf(definition.type);
    messages[key] = messageOf(definition, options, layout);
    channels[key] = {
      address: address(definition.type),
      title: definition.type,
      messages: { [key]: { $ref: `#/components/messages/${escapePointer(key)}` } },
    };
  }
  const operations: Record<string, unknown> = {};
  const operation = (action: 'send' | 'receive', definition: EventDefinition) => {
    const key = keyOf(definition.type);
    operations[`${action}${key}`] = {
      action,
      title: `${action === 'send' ? 'Publish' : 'Consume'} ${definition.type}`,
      channel: { $ref: `#/channels/${escapePointer(key)}` },
      messages: [{ $ref: `#/channels/${escapePointer(key)}/messages/${escapePointer(key)}` }],
    };
  };
  for (const definition of selected(options.send ?? '*', catalog)) operation('send', definition);
  for (const definition of selected(options.receive, catalog)) operation('receive', definition);

  const info: Record<string, unknown> = { title: options.title, version: options.version };
  if (options.description !== undefined) info.description = options.description;
  const document: Record<string, unknown> = {
    asyncapi: '3.0.0',
    info,
    defaultContentType: 'application/json',
  };
  if (options.servers) document.servers = { ...options.servers };
  Object.assign(document, { channels, operations, components: { messages } });
  return document as AsyncApiDocument;
}
