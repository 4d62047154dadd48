/** The Tidings bus: `publishSync` for sync handlers, awaited `publish` (sequential) for async ones. */
import { createEventBus } from '@tidings/core';
import { defineBenchmark } from '../../registry.ts';
import {
  alternating,
  alternatingGroup,
  asyncGroup,
  asyncHandler,
  event,
  type HandlerCount,
  OrderPlaced,
  OrderShipped,
  size,
  syncGroup,
  syncHandler,
} from './fixture.ts';

export const tidingsBenchmarks = (n: HandlerCount) => [
  defineBenchmark({
    name: `dispatch/sync/${n}/tidings`,
    group: syncGroup(n),
    anchor: `dispatch/sync/${n}/node-events`,
    target: { ratio: 0.7 },
    note: '`bus.publishSync(event)`',
    size: size(n === 1 ? 5_000_000 : 1_000_000),
    setup() {
      const bus = createEventBus();
      for (let i = 0; i < n; i++) bus.subscribe(`h${i}`, OrderPlaced, syncHandler);
      return bus;
    },
    run(bus, iterations) {
      for (let i = 0; i < iterations; i++) bus.publishSync(event);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/alternating/${n}/tidings`,
    group: alternatingGroup(n),
    anchor: `dispatch/alternating/${n}/node-events`,
    target: { ratio: 0.7 },
    note: '`bus.publishSync(event)`, two event types in turn',
    size: size(n === 1 ? 5_000_000 : 1_000_000),
    setup() {
      const bus = createEventBus();
      for (let i = 0; i < n; i++) {
        bus.subscribe(`placed-${i}`, OrderPlaced, syncHandler);
        bus.subscribe(`shipped-${i}`, OrderShipped, syncHandler);
      }
      return bus;
    },
    run(bus, iterations) {
      for (let i = 0; i < iterations; i++)
        bus.publishSync(alternating[i & 1] as (typeof alternating)[number]);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/async/${n}/tidings-no-ambient`,
    group: asyncGroup(n),
    anchor: `dispatch/async/${n}/emittery`,
    target: { ratio: 10 },
    note: '`await bus.publish(event)` (sequential) on `createEventBus({ ambientCausation: false })`',
    size: size(n === 1 ? 1_000_000 : 300_000),
    setup() {
      const bus = createEventBus({ ambientCausation: false });
      for (let i = 0; i < n; i++) bus.subscribe(`h${i}`, OrderPlaced, asyncHandler);
      return bus;
    },
    async run(bus, iterations) {
      for (let i = 0; i < iterations; i++) await bus.publish(event);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/async/${n}/tidings`,
    group: asyncGroup(n),
    anchor: `dispatch/async/${n}/emittery`,
    target: { ratio: 10 },
    note: '`await bus.publish(event)` (sequential), one event after another, async handlers',
    size: size(n === 1 ? 1_000_000 : 300_000),
    setup() {
      const bus = createEventBus();
      for (let i = 0; i < n; i++) bus.subscribe(`h${i}`, OrderPlaced, asyncHandler);
      return bus;
    },
    async run(bus, iterations) {
      for (let i = 0; i < iterations; i++) await bus.publish(event);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/async/${n}/tidings-concurrent`,
    group: asyncGroup(n),
    anchor: `dispatch/async/${n}/emittery`,
    note: "`await bus.publish(event, { mode: 'concurrent' })`: all handlers start at once, like emittery",
    size: size(n === 1 ? 1_000_000 : 300_000),
    setup() {
      const bus = createEventBus({ mode: 'concurrent' });
      for (let i = 0; i < n; i++) bus.subscribe(`h${i}`, OrderPlaced, asyncHandler);
      return bus;
    },
    async run(bus, iterations) {
      for (let i = 0; i < iterations; i++) await bus.publish(event);
      return iterations;
    },
  }),
];
