/**
 * The ambient causing event. While a handler runs, every event created in its call tree
 * inherits `correlationId` and gets `causationId` = the handled event's id. Synchronous
 * dispatch uses a cheap stack slot; asynchronous dispatch uses AsyncLocalStorage so the
 * context survives awaits.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AnyDomainEvent } from './envelope.ts';

const storage = new AsyncLocalStorage<AnyDomainEvent>();
let syncSlot: AnyDomainEvent | undefined;

/** The event being handled right now, if any. */
export function currentEvent(): AnyDomainEvent | undefined {
  return syncSlot ?? storage.getStore();
}

/** Runs `fn` with `event` as the ambient cause, across awaits. */
export function runAsCausedBy<T>(event: AnyDomainEvent, fn: () => T): T {
  const previous = syncSlot;
  syncSlot = undefined;
  try {
    return storage.run(event, fn);
  } finally {
    syncSlot = previous;
  }
}

/** Runs a synchronous `fn` with `event` as the ambient cause (no async context is kept). */
export function runSyncAsCausedBy<T>(event: AnyDomainEvent, fn: () => T): T {
  const previous = syncSlot;
  syncSlot = event;
  try {
    return fn();
  } finally {
    syncSlot = previous;
  }
}
