/**
 * The consuming service of the cross-process tracing test, run as a child process: the
 * OpenTelemetry SDK with an in-memory exporter, `installTidingsTracing`, and a consumer on
 * the broker named by `TRACE_BROKER`. Prints `ready` once subscribed, then, when it has
 * handled `TRACE_EXPECT` messages, one line of JSON with its finished spans, and exits.
 */
import { createCatalog, createConsumer, createMemoryDeadLetterSink, durableHandler } from '@tidings/core';
import { installTidingsTracing } from '@tidings/opentelemetry';
import { waitUntil } from '@tidings/testing';
import { createTestTelemetry } from '../../packages/opentelemetry/test/telemetry.ts';
import { type BrokerConfig, openBroker } from './brokers.ts';
import { handlerName, OrderPlaced, toRecord } from './spans.ts';

const config = JSON.parse(process.env.TRACE_BROKER ?? '{}') as BrokerConfig;
const expected = Number(process.env.TRACE_EXPECT ?? '1');
const telemetry = createTestTelemetry();
const tracing = installTidingsTracing({ tracerProvider: telemetry.tracerProvider, metrics: false });
const transport = await openBroker(config);
const consumer = createConsumer({
  transport,
  catalog: createCatalog([OrderPlaced]),
  handlers: [durableHandler(handlerName, OrderPlaced, async () => {})],
  deadLetters: createMemoryDeadLetterSink(),
  groupPrefix: `${config.name}-`,
});
await consumer.start();
console.log('ready');

const processSpans = () => telemetry.spans().filter((s) => s.name.startsWith('process'));
await waitUntil(() => processSpans().length >= expected, `${expected} process span(s)`, 45_000);
console.log(JSON.stringify(telemetry.spans().map(toRecord)));
await consumer.close();
await transport.close();
tracing.close();
await telemetry.close();
