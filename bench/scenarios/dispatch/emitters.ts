/**
 * Peer emitters: node:events (the anchor of sync dispatch), eventemitter3, mitt, and emittery
 * (the anchor of async dispatch: `await emit()` runs every listener and awaits them).
 */
import { EventEmitter as NodeEmitter } from 'node:events';
import Emittery from 'emittery';
import { EventEmitter as EventEmitter3 } from 'eventemitter3';
import mittModule from 'mitt';
import { defineBenchmark } from '../../registry.ts';
import {
  alternating,
  alternatingGroup,
  asyncGroup,
  asyncHandler,
  event,
  type HandlerCount,
  size,
  syncGroup,
  syncHandler,
} from './fixture.ts';

// mitt's types describe a CommonJS default export, but Node loads its ESM build, whose default
// export is the factory itself.
const mitt = mittModule as unknown as typeof mittModule.default;

const listen = (n: HandlerCount, add: (handler: () => void) => void) => {
  for (let i = 0; i < n; i++) add(() => syncHandler());
};

export const emitterBenchmarks = (n: HandlerCount) => [
  defineBenchmark({
    name: `dispatch/sync/${n}/node-events`,
    group: syncGroup(n),
    note: '`emitter.emit(type, event)` of node:events',
    size: size(n === 1 ? 5_000_000 : 1_000_000),
    setup() {
      const emitter = new NodeEmitter();
      emitter.setMaxListeners(0);
      listen(n, (h) => emitter.on(event.type, h));
      return emitter;
    },
    run(emitter, iterations) {
      for (let i = 0; i < iterations; i++) emitter.emit(event.type, event);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/alternating/${n}/node-events`,
    group: alternatingGroup(n),
    note: '`emitter.emit(type, event)` of node:events, two event types in turn',
    size: size(n === 1 ? 5_000_000 : 1_000_000),
    setup() {
      const emitter = new NodeEmitter();
      emitter.setMaxListeners(0);
      for (const e of alternating) listen(n, (h) => emitter.on(e.type, h));
      return emitter;
    },
    run(emitter, iterations) {
      for (let i = 0; i < iterations; i++) {
        const e = alternating[i & 1] as (typeof alternating)[number];
        emitter.emit(e.type, e);
      }
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/sync/${n}/eventemitter3`,
    group: syncGroup(n),
    anchor: `dispatch/sync/${n}/node-events`,
    size: size(n === 1 ? 5_000_000 : 1_000_000),
    setup() {
      const emitter = new EventEmitter3();
      listen(n, (h) => emitter.on(event.type, h));
      return emitter;
    },
    run(emitter, iterations) {
      for (let i = 0; i < iterations; i++) emitter.emit(event.type, event);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/sync/${n}/mitt`,
    group: syncGroup(n),
    anchor: `dispatch/sync/${n}/node-events`,
    size: size(n === 1 ? 5_000_000 : 1_000_000),
    setup() {
      const emitter = mitt<Record<string, typeof event>>();
      listen(n, (h) => emitter.on(event.type, h));
      return emitter;
    },
    run(emitter, iterations) {
      for (let i = 0; i < iterations; i++) emitter.emit(event.type, event);
      return iterations;
    },
  }),
  defineBenchmark({
    name: `dispatch/async/${n}/emittery`,
    group: asyncGroup(n),
    note: '`await emitter.emit(type, event)` of emittery, one event after another, async listeners',
    size: size(n === 1 ? 200_000 : 50_000),
    setup() {
      const emitter = new Emittery();
      for (let i = 0; i < n; i++) emitter.on(event.type, asyncHandler);
      return emitter;
    },
    async run(emitter, iterations) {
      for (let i = 0; i < iterations; i++) await emitter.emit(event.type, event);
      return iterations;
    },
  }),
];
