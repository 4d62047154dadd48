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

/**
 * Runs `fn(...args)` with `event` as the ambient cause, across awaits. Passing arguments instead
 * of closing over them saves an allocation per event on the bus's hot path.
 */
export function runAsCausedBy<A extends unknown[], T>(
  event: AnyDomainEvent,
  fn: (...args: A) => T,
  ...args: A
): T {
  const previous = syncSlot;
  syncSlot = undefined;
  try {
    return storage.run(event, fn, ...args);
  } finally {
    syncSlot = previous;
  }
}

/**
 * Makes `event` the synchronous ambient cause and returns the previous one, which the caller
 * MUST hand to `restoreSyncCause` in a `finally`. Closure-free, for the bus's
 * hot path.
 */
export function enterSyncCause(event: AnyDomainEvent): AnyDomainEvent | undefined {
  const previous = syncSlot;
  syncSlot = event;
  return previous;
}

/** Restores the ambient cause saved by `enterSyncCause`. */
export function restoreSyncCause(previous: AnyDomainEvent | undefined): void {
  syncSlot = previous;
}
