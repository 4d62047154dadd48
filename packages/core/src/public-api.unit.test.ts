/**
 * Pins the public surface of both entries: the exported runtime names (so an accidental
 * export, or a lost one, shows up in review) and the types users write against.
 */
import * as core from '@tidings/core';
import {
  type AnyDomainEvent,
  createCatalog,
  createEventBus,
  createMemoryOutboxStore,
  createOutbox,
  type DomainEvent,
  defineEvent,
  durableHandler,
  type EventOf,
  type MemoryTx,
  type Middleware,
  type Outbox,
  type PayloadOf,
  type RawEvent,
  retry,
  TidingsError,
  ValidationError,
} from '@tidings/core';
import * as spi from '@tidings/core/spi';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

describe('@tidings/core exports', () => {
  it('lists what applications write against, and nothing else', () => {
    expect(Object.keys(core).sort()).toEqual([
      'AggregateRoot',
      'ClosedError',
      'ConfigurationError',
      'DecodeError',
      'DoNotRetry',
      'HandlersFailedError',
      'RepeatedFailureError',
      'RetryLater',
      'StoreError',
      'TidingsError',
      'TimeoutError',
      'TransportError',
      'UnknownEventTypeError',
      'ValidationError',
      'causationChain',
      'causationTree',
      'createCatalog',
      'createConsumer',
      'createDeadLetterRedriver',
      'createEventBus',
      'createEventRecorder',
      'createMemoryBroker',
      'createMemoryDeadLetterSink',
      'createMemoryOutboxStore',
      'createMemoryTransport',
      'createOutbox',
      'createOutboxRelay',
      'decodeBinary',
      'decodeStructured',
      'defaultRetryPolicy',
      'defineEvent',
      'durableHandler',
      'durableHandlerFor',
      'encodeBinary',
      'encodeStructured',
      'fromCloudEvent',
      'fromTransportMessage',
      'hasReceivedDeadLetters',
      'isBinaryCloudEvent',
      'receivedDeadLetterIdOf',
      'retry',
      'storeDeadLetterSink',
      'timeout',
      'toAsyncApi',
      'toCloudEvent',
      'toTransportMessage',
      'transportDeadLetterSink',
      'withMiddleware',
    ]);
  });

  it('lists what adapter authors need in @tidings/core/spi', () => {
    expect(Object.keys(spi).sort()).toEqual([
      'backoffDelay',
      'checkLeaseMs',
      'checkOutcomes',
      'checkSubscribeRequest',
      'createDeliveryNotes',
      'createErrorReporter',
      'createEventId',
      'createInboxCommitter',
      'createKeyedDispatcher',
      'deadLetterHeaders',
      'deadLetterIdOf',
      'decodeHeaderValue',
      'deepFreeze',
      'defaultGroupCommit',
      'defaultMaxDeliveries',
      'describeFailure',
      'describeValue',
      'encodeHeaderValue',
      'errorCodeOf',
      'errorMessage',
      'freezeParsedJson',
      'fromAmqpProperties',
      'fromKafkaHeaders',
      'inboxMarker',
      'isoTime',
      'limits',
      'matchesQuery',
      'memoryTransportFeatures',
      'nextAttemptAt',
      'nextRetryDelay',
      'orderingKey',
      'pause',
      'plainHeaderValue',
      'rawEventFrom',
      'readDeadLetterHeaders',
      'receivedDeadLetterColumns',
      'receivedDeadLetterFilters',
      'receivedDeadLetterFromRow',
      'receivedDeadLetterValues',
      'redactUrl',
      'redriveGroupHeader',
      'resolvePolicy',
      'retryDelayOf',
      'serverAttributes',
      'setInstrumentation',
      'toAmqpProperties',
      'toKafkaHeaders',
      'toReceivedRedriveMessage',
      'toRedriveMessage',
      'topicOfType',
      'transportErrorHeader',
      'withDeadLetterHeaders',
    ]);
  });

  it('keeps internals out of both entries', () => {
    const internals = ['enterSyncCause', 'restoreSyncCause', 'runAsCausedBy', 'own', 'runDurableHandler'];
    for (const name of internals) {
      expect(core).not.toHaveProperty(name);
      expect(spi).not.toHaveProperty(name);
    }
  });
});

const OrderPlaced = defineEvent('OrderPlaced', {
  schema: z.object({ orderId: z.string(), total: z.number(), lines: z.array(z.string()) }),
});

describe('public types', () => {
  it('types an event by its definition, deeply readonly', () => {
    const event = OrderPlaced.create({ orderId: 'o-1', total: 42, lines: ['book'] });
    expectTypeOf(event.type).toEqualTypeOf<'OrderPlaced'>();
    expectTypeOf(event.payload).toEqualTypeOf<{
      readonly orderId: string;
      readonly total: number;
      readonly lines: readonly string[];
    }>();
    expectTypeOf<EventOf<typeof OrderPlaced>>().toEqualTypeOf<typeof event>();
    expectTypeOf<PayloadOf<typeof OrderPlaced>>().toEqualTypeOf<{
      orderId: string;
      total: number;
      lines: string[];
    }>();
    expectTypeOf(event).toExtend<AnyDomainEvent>();
    expectTypeOf(OrderPlaced.create).parameter(0).toEqualTypeOf<{
      orderId: string;
      total: number;
      lines: string[];
    }>();
  });

  it('narrows with is() and decodes raw envelopes to any event', () => {
    const event: AnyDomainEvent = OrderPlaced.create({ orderId: 'o-1', total: 1, lines: [] });
    if (OrderPlaced.is(event)) expectTypeOf(event.payload.total).toEqualTypeOf<number>();
    expectTypeOf(createCatalog([OrderPlaced]).decode)
      .parameter(0)
      .toEqualTypeOf<RawEvent>();
    expectTypeOf(createCatalog([OrderPlaced]).decode).returns.toEqualTypeOf<AnyDomainEvent>();
  });

  it('gives bus and durable handlers the event type of their target', () => {
    const bus = createEventBus();
    bus.subscribe('audit', OrderPlaced, (event) => {
      expectTypeOf(event).toEqualTypeOf<EventOf<typeof OrderPlaced>>();
    });
    bus.subscribe('everything', '*', (event) => {
      expectTypeOf(event).toEqualTypeOf<DomainEvent<string, unknown>>();
    });
    durableHandler('email', OrderPlaced, (event, context) => {
      expectTypeOf(event.payload.orderId).toEqualTypeOf<string>();
      expectTypeOf(context.attempt).toEqualTypeOf<number>();
    });
    expectTypeOf(bus.publish).returns.toEqualTypeOf<Promise<void>>();
  });

  it('carries the store transaction type through the outbox', () => {
    const outbox = createOutbox({ store: createMemoryOutboxStore() });
    expectTypeOf(outbox).toEqualTypeOf<Outbox<MemoryTx>>();
    expectTypeOf(retry({ maxAttempts: 3 })).toEqualTypeOf<Middleware>();
  });

  it('recognises errors by code, narrowing the value', () => {
    const error: unknown = new ValidationError('bad', 'OrderPlaced', []);
    expect(ValidationError.is(error)).toBe(true);
    if (ValidationError.is(error)) expectTypeOf(error).toEqualTypeOf<ValidationError>();
    if (TidingsError.is(error)) expectTypeOf(error.code).toEqualTypeOf<string>();
  });
});
