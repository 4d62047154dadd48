/**
 * `@tidings/core/spi`: the service-provider interface for people who write a store, a
 * transport or an instrumentation package. It holds the ports with every type their methods
 * take, and the helpers each adapter would otherwise copy (keyed dispatch, retry delays, row
 * and decode helpers). Applications should not need it; the names are pinned by
 * public-api.unit.test.ts so an accidental export shows.
 */

// CloudEvents protocol bindings: each transport maps the neutral headers to its broker's binding
export { type AmqpCloudEventProperties, fromAmqpProperties, toAmqpProperties } from './codec/amqp-binding.ts';
export { decodeHeaderValue, encodeHeaderValue, plainHeaderValue } from './codec/header-value.ts';
export { isoTime } from './codec/iso-time.ts';
export { fromKafkaHeaders, toKafkaHeaders } from './codec/kafka-binding.ts';
export { limits, type RawEventFields, rawEventFrom } from './codec/raw-event.ts';
export { toReceivedRedriveMessage } from './consumer/redrive-message.ts';
// Messages for errors
export { errorMessage } from './errors/errors.ts';
export { redactUrl } from './errors/redact-url.ts';
export { describeValue } from './errors/tidings-error.ts';
// Events as stored and decoded
export { orderingKey } from './event/envelope.ts';
export { deepFreeze, freezeParsedJson } from './event/freeze.ts';
export { createEventId } from './event/id.ts';
// Instrumentation hooks
export { createDeliveryNotes, type DeliveryNotes } from './instrumentation/delivery-notes.ts';
export {
  type DeadLetterInfo,
  type HandlerRunInfo,
  type Instrumentation,
  type PublishBatchInfo,
  setInstrumentation,
} from './instrumentation/hooks.ts';
export {
  type HandlerDelivery,
  type MessagingAttributes,
  serverAttributes,
  type TransportTelemetry,
} from './instrumentation/messaging.ts';
export { memoryTransportFeatures } from './memory/memory-transport.ts';
export { backoffDelay, resolvePolicy } from './middleware/backoff.ts';
export { checkLeaseMs, checkOutcomes } from './outbox/check-outcomes.ts';
// Outbox store and inbox ports
export {
  type AsyncMarkProcessed,
  type Inbox,
  type InboxGroupCommit,
  inboxMarker,
  type MarkProcessed,
} from './outbox/inbox.ts';
export {
  createInboxCommitter,
  defaultGroupCommit,
  type InboxCommitter,
  type InboxRunResult,
} from './outbox/inbox-committer.ts';
export type {
  AttemptRecord,
  AuditLog,
  ClaimRequest,
  ConsumerStats,
  DeadLetter,
  Delivery,
  DeliveryInfo,
  DeliveryOutcome,
  DeliveryQueue,
  DeliveryRef,
  DeliveryStatus,
  EventQuery,
  OutboxAdmin,
  OutboxEntry,
  OutboxStore,
  OutboxWriter,
  StoredEvent,
} from './outbox/outbox-store.ts';
export { matchesQuery } from './outbox/query.ts';
// Received dead letters: the row shape the SQL stores share
export {
  type ReceivedDeadLetterRow,
  receivedDeadLetterColumns,
  receivedDeadLetterFilters,
  receivedDeadLetterFromRow,
  receivedDeadLetterValues,
} from './outbox/received-dead-letter-rows.ts';
export type {
  HasReceivedDeadLetters,
  ReceivedDeadLetter,
  ReceivedDeadLetterInput,
  ReceivedDeadLetterQuery,
  ReceivedDeadLetterStatus,
  ReceivedDeadLetters,
} from './outbox/received-dead-letters.ts';
export { describeFailure, nextAttemptAt } from './pipeline/outcome.ts';
export { transportErrorHeader } from './pipeline/steps/transport-rejected.ts';
export {
  type CommonTransportOptions,
  defaultMaxDeliveries,
  type StartPosition,
} from './transport/common-options.ts';
// The one dead-letter format every broker carries
export {
  type DeadLetterFields,
  deadLetterHeaders,
  deadLetterIdOf,
  errorCodeOf,
  readDeadLetterHeaders,
  redriveGroupHeader,
  toRedriveMessage,
  withDeadLetterHeaders,
} from './transport/dead-letter-format.ts';
export { createKeyedDispatcher, type KeyedDispatcher } from './transport/keyed-dispatcher.ts';
export { topicOfType } from './transport/message.ts';
export { createErrorReporter } from './transport/report-error.ts';
export { nextRetryDelay, pause, retryDelayOf } from './transport/retry-delay.ts';
export { checkSubscribeRequest } from './transport/subscribe-request.ts';
// Transport port
export type {
  MessageHandler,
  MessageOutcome,
  ReceivedMessage,
  SubscribeRequest,
  Subscription,
  Transport,
  TransportFeatures,
  TransportMessage,
} from './transport/transport.ts';
