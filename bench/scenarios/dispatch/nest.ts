/**
 * @nestjs/cqrs `EventBus` in a minimal Nest application context (CqrsModule and the handler
 * providers, nothing else). Its `publish` returns nothing to await: handlers run through RxJS
 * and each call leaves an inner subscription open until its promise settles. So events go in
 * bursts of 100 and each burst is let finish (a macrotask for sync handlers, the last handler
 * call for async ones): bursts of 10,000 cost ~16× more per event on this machine, bursts of one
 * mostly measure the wait.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule, EventBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { defineBenchmark } from '../../registry.ts';
import { asyncGroup, counter, event, type HandlerCount, size, syncGroup, syncHandler } from './fixture.ts';

class OrderPlacedEvent {
  constructor(readonly event: unknown) {}
}

const burst = 100;
const waiting = { target: 0, resolve: () => {} };
const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

function handlerClasses(n: HandlerCount, kind: 'sync' | 'async') {
  return Array.from({ length: n }, () => {
    class Handler implements IEventHandler<OrderPlacedEvent> {
      handle(): void | Promise<void> {
        if (kind === 'sync') return syncHandler();
        return (async () => {
          if (++counter.calls >= waiting.target) waiting.resolve();
        })();
      }
    }
    EventsHandler(OrderPlacedEvent)(Handler);
    return Handler;
  });
}

async function createNestBus(n: HandlerCount, kind: 'sync' | 'async') {
  class AppModule {}
  Module({ imports: [CqrsModule.forRoot()], providers: handlerClasses(n, kind) })(AppModule);
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  await app.init();
  return { app, bus: app.get(EventBus), message: new OrderPlacedEvent(event) };
}

export const nestBenchmarks = (n: HandlerCount) => [
  defineBenchmark({
    name: `dispatch/sync/${n}/nestjs-cqrs`,
    group: syncGroup(n),
    anchor: `dispatch/sync/${n}/node-events`,
    note: '`eventBus.publish(event)` of @nestjs/cqrs, sync handlers, bursts of 100 events each let finish',
    size: size(n === 1 ? 500_000 : 100_000),
    setup: () => createNestBus(n, 'sync'),
    async run({ bus, message }, iterations) {
      for (let i = 0; i < iterations; i += burst) {
        for (let j = i; j < Math.min(i + burst, iterations); j++) bus.publish(message);
        await nextMacrotask();
      }
      return iterations;
    },
    teardown: ({ app }) => app.close(),
  }),
  defineBenchmark({
    name: `dispatch/async/${n}/nestjs-cqrs`,
    group: asyncGroup(n),
    anchor: `dispatch/async/${n}/emittery`,
    note: '@nestjs/cqrs, async handlers, bursts of 100 events, each awaited until its last handler call',
    size: size(n === 1 ? 200_000 : 50_000),
    setup: () => createNestBus(n, 'async'),
    async run({ bus, message }, iterations) {
      for (let i = 0; i < iterations; i += burst) {
        const count = Math.min(burst, iterations - i);
        const done = new Promise<void>((resolve) => {
          waiting.target = counter.calls + count * n;
          waiting.resolve = resolve;
        });
        for (let j = 0; j < count; j++) bus.publish(message);
        await done;
      }
      return iterations;
    },
    teardown: ({ app }) => app.close(),
  }),
];
