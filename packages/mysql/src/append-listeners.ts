/**
 * In-process wake-ups: MySQL has no LISTEN/NOTIFY, so the store tells `onAppend` listeners
 * itself, after a `store.transaction` that appended deliveries commits (and after a
 * redrive). Appends committed on your own connections, or by other processes, are found by
 * the relays' polling.
 */
export interface AppendListeners {
  add(listener: () => void): () => void;
  /** Calls every listener; one that throws does not keep the others from hearing. */
  notify(): void;
  clear(): void;
}

export function createAppendListeners(): AppendListeners {
  const listeners = new Set<() => void>();
  return {
    add(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    notify() {
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch {
          // A listener's own failure is its business; the commit already happened.
        }
      }
    },
    clear: () => listeners.clear(),
  };
}
