/**
 * The public API of @tidings/core: what applications write against. Every name is listed on
 * purpose (no `export *`), so a new internal helper never becomes public by accident; what
 * adapter authors need beyond this lives in `@tidings/core/spi` (./spi.ts). The exported
 * names are pinned by public-api.unit.test.ts.
 */

// Aggregates
export { AggregateRoot, createEventRecorder, type EventRecorder } from './aggregate/aggregate.ts';
export type { AsyncApiBinding } from './asyncapi/bindings.ts';
export type { JsonSchemaConverter, PayloadSchema } from './asyncapi/payload-schema.ts';
// AsyncAPI
export {
  type AsyncApiDocument,
  type AsyncApiOptions,
  type EventTypes,
  toAsyncApi,
} from './asyncapi/to-asyncapi.ts';
// The in-process bus and handlers
export {
  createEventBus,
  type DispatchMode,
  type EventBus,
  type EventBusOptions,
  type PublishOptions,
} from './bus/event-bus.ts';
export type { EventOfTarget, Handler, HandlerContext, HandlerTarget } from './bus/handler.ts';
// CloudEvents codec
export {
  type BinaryMessage,
  type CodecOptions,
  type DecodeOptions,
  decodeBinary,
  decodeStructured,
  encodeBinary,
  encodeStructured,
  fromCloudEvent,
  isBinaryCloudEvent,
  toCloudEvent,
} from './codec/cloudevents.ts';
export { type Consumer, type ConsumerOptions, createConsumer } from './consumer/consumer.ts';
export {
  createMemoryDeadLetterSink,
  type DeadLetterRecord,
  type DeadLetterSink,
  type TransportDeadLetterOptions,
  transportDeadLetterSink,
} from './consumer/dead-letter-sink.ts';
export {
  createDeadLetterRedriver,
  type DeadLetterRedriver,
  type DeadLetterRedriverOptions,
} from './consumer/redrive-loop.ts';
export {
  type StoreDeadLetterSink,
  type StoreSinkRedriveOptions,
  storeDeadLetterSink,
} from './consumer/store-dead-letter-sink.ts';
// Errors
export {
  ClosedError,
  ConfigurationError,
  DecodeError,
  DoNotRetry,
  type HandlerFailure,
  HandlersFailedError,
  RetryLater,
  StoreError,
  TimeoutError,
  TransportError,
  UnknownEventTypeError,
  ValidationError,
  type ValidationIssue,
} from './errors/errors.ts';
export { type ErrorDetails, TidingsError, type TidingsErrorOptions } from './errors/tidings-error.ts';
export { type Catalog, createCatalog, type RawEvent } from './event/catalog.ts';
// Events, versions and the catalog
export {
  type CreateEventOptions,
  type DefineEventOptions,
  defineEvent,
  type EventDefinition,
  type EventOf,
  type PayloadOf,
  type Upcaster,
} from './event/define-event.ts';
export type { AnyDomainEvent, DeepReadonly, DomainEvent, EventSubject } from './event/envelope.ts';
// In-memory store and transport (tests, single-process apps)
export {
  createMemoryOutboxStore,
  type MemoryOutboxStore,
  type MemoryOutboxStoreOptions,
  type MemoryTx,
} from './memory/memory-outbox-store.ts';
export {
  createMemoryBroker,
  createMemoryTransport,
  type MemoryBroker,
  type MemoryTransport,
  type MemoryTransportOptions,
} from './memory/memory-transport.ts';
export { defaultRetryPolicy, type RetryPolicy } from './middleware/backoff.ts';
// Middleware
export { type Middleware, withMiddleware } from './middleware/middleware.ts';
export { type RetryOptions, retry } from './middleware/retry.ts';
export { timeout } from './middleware/timeout.ts';
// Audit queries and causation
export {
  type CausationNode,
  type CausationTreeOptions,
  causationChain,
  causationTree,
} from './outbox/causation.ts';
export {
  type DeclareDurableHandler,
  type DurableHandler,
  type DurableHandlerContext,
  type DurableHandlerFunction,
  type DurableHandlerOptions,
  durableHandler,
  durableHandlerFor,
} from './outbox/durable-handler.ts';
// Store and transport ports (also in @tidings/core/spi): the types users pass around
export type { Inbox } from './outbox/inbox.ts';
// Outbox, durable handlers, relay and consumer
export {
  createOutbox,
  type Outbox,
  type OutboxOptions,
  type OutboxRoute,
  type RecordEvents,
} from './outbox/outbox.ts';
export type {
  AttemptRecord,
  ConsumerStats,
  DeadLetter,
  DeliveryInfo,
  DeliveryStatus,
  EventQuery,
  OutboxStore,
  StoredEvent,
} from './outbox/outbox-store.ts';
export {
  type HasReceivedDeadLetters,
  hasReceivedDeadLetters,
  type ReceivedDeadLetter,
  type ReceivedDeadLetterInput,
  type ReceivedDeadLetterQuery,
  type ReceivedDeadLetterStatus,
  type ReceivedDeadLetters,
  receivedDeadLetterIdOf,
} from './outbox/received-dead-letters.ts';
export { RepeatedFailureError } from './relay/error-throttle.ts';
export {
  createOutboxRelay,
  type OutboxRelay,
  type OutboxRelayOptions,
  type RelayRouteTarget,
} from './relay/relay.ts';
export { fromTransportMessage, type MessageOptions, toTransportMessage } from './transport/message.ts';
export type {
  MessageHandler,
  ReceivedMessage,
  SubscribeRequest,
  Subscription,
  Transport,
  TransportFeatures,
  TransportMessage,
} from './transport/transport.ts';
