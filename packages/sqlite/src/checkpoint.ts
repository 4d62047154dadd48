/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit
 * that fills the WAL past 1,000 pages, on the committing thread, and it fsyncs the WAL and
 * the database file: on the store's connection that stalled the event loop for up to
 * 144 ms (commits themselves do not fsync with `synchronous = NORMAL`), and every relay,
 * consumer and request in the process waited with it (bench/brokers/RESULTS.md, latency).
 *
 * In `'background'` mode the store's connection never checkpoints (`wal_autocheckpoint = 0`)
 * and one worker thread per process, with its own connection to each store's file, runs a
 * `PASSIVE` checkpoint every 100 ms on each file another connection has committed to
 * since the last one. A passive checkpoint never blocks writers or readers, and durability
 * does not change: a commit is in the WAL either way. If the worker cannot checkpoint a file,
 * the store reports it and turns the automatic checkpoint back on, so the WAL never grows
 * without bound. One thread for every store: a test suite that opens a store per test must
 * not pay a thread (and its isolate's memory) per store.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { StoreError } from '@tidings/core';
import type Database from 'better-sqlite3';

// CommonJS, evaluated in the worker: a source file beside this one would need a loader under
// tsx and vitest, and `require` of the driver is resolved here, where better-sqlite3 is known.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const files = new Map();
const drop = (id) => {
  const file = files.get(id);
  files.delete(id);
  try {
    if (file) file.db.close();
  } catch {}
};
parentPort.on('message', (message) => {
  if (message.kind === 'open') {
    try {
      const db = new Database(message.filename, { fileMustExist: true });
      db.pragma('busy_timeout = 0');
      // Unknown at first: commits made before the open are checkpointed on the first tick.
      files.set(message.id, { db, version: undefined });
    } catch (error) {
      parentPort.postMessage({ kind: 'failed', id: message.id, reason: String(error) });
    }
  } else if (message.kind === 'close') {
    drop(message.id);
    parentPort.postMessage({ kind: 'closed', id: message.id });
  }
});
setInterval(() => {
  for (const [id, file] of files) {
    try {
      const version = file.db.pragma('data_version', { simple: true });
      if (version === file.version) continue;
      file.version = version;
      file.db.pragma('wal_checkpoint(PASSIVE)');
    } catch (error) {
      // Another process's checkpoint holds the lock: it does the same work.
      if (String(error && error.code).startsWith('SQLITE_BUSY')) continue;
      drop(id);
      parentPort.postMessage({ kind: 'failed', id, reason: String(error) });
    }
  }
}, workerData.intervalMs);
`;

// Often enough that the WAL stays small, rarely enough that an idle store costs nothing.
const intervalMs = 100;

export interface BackgroundCheckpoint {
  /**
   * Has the worker close its connection to the file, and gives the store's connection its
   * own automatic checkpoint back if it is still open. The last connection to close
   * checkpoints and removes the WAL, as SQLite always does.
   */
  close(): Promise<void>;
}

interface Registration {
  readonly closed: () => void;
  readonly fail: (reason: string) => void;
}

interface SharedWorker {
  readonly worker: Worker;
  readonly registrations: Map<number, Registration>;
  /** Closes asked for and not answered: the worker is ref'd while there are any. */
  closing: number;
}

let shared: SharedWorker | undefined;
let nextId = 1;

function sharedWorker(): SharedWorker {
  if (shared) return shared;
  const worker = new Worker(workerSource, {
    eval: true,
    // Not the parent's flags: `--input-type=module` or a loader would change how the source runs.
    execArgv: [],
    workerData: { driver: createRequire(import.meta.url).resolve('better-sqlite3'), intervalMs },
  });
  const state: SharedWorker = { worker, registrations: new Map(), closing: 0 };
  const failAll = (reason: string) => {
    if (shared === state) shared = undefined;
    const all = [...state.registrations.values()];
    state.registrations.clear();
    for (const registration of all) registration.fail(reason);
  };
  worker.on('message', (message: { kind: string; id: number; reason?: string }) => {
    const registration = state.registrations.get(message.id);
    if (!registration) return;
    if (message.kind === 'closed') {
      state.registrations.delete(message.id);
      registration.closed();
    } else if (message.kind === 'failed') {
      state.registrations.delete(message.id);
      registration.fail(message.reason ?? 'unknown reason');
    }
  });
  worker.on('error', (error) => failAll(String(error)));
  worker.on('exit', (code) => failAll(`the worker exited with code ${code}`));
  // Stores left open must not keep the process alive. After the listeners: adding a message
  // listener refs the worker again.
  worker.unref();
  shared = state;
  return state;
}

/** Once no store uses it and no close is pending, the worker ends; the next store starts another. */
function release(state: SharedWorker): void {
  if (state.closing > 0) return;
  state.worker.unref();
  if (state.registrations.size === 0 && shared === state) {
    shared = undefined;
    void state.worker.terminate();
  }
}

/**
 * Hands `db`'s checkpoints to the process's checkpoint worker, or returns `undefined` for a
 * database without a file (`:memory:` or a temporary one), which has no WAL to checkpoint.
 */
export function startBackgroundCheckpoint(
  db: Database.Database,
  onError: (error: unknown) => void,
): BackgroundCheckpoint | undefined {
  if (db.memory || db.name === '') return undefined;
  // Restored when the worker fails, and at close for a connection the store was given.
  const previous = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  const restore = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${previous}`);
  };
  db.pragma('wal_autocheckpoint = 0');

  const state = sharedWorker();
  const id = nextId++;
  let closing = false;
  let done = false;
  let resolveClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => {
    resolveClosed = resolve;
  });
  const finish = () => {
    if (done) return;
    done = true;
    if (closing) state.closing--;
    resolveClosed();
    release(state);
  };
  state.registrations.set(id, {
    closed: finish,
    fail(reason) {
      const wasClosing = closing;
      finish();
      restore();
      if (wasClosing) return;
      onError(
        new StoreError(
          `The background WAL checkpoint of SQLite database ${JSON.stringify(db.name)} stopped (${reason}); ` +
            'the store checkpoints on its own connection from now on.',
          { details: { reason } },
        ),
      );
    },
  });
  state.worker.postMessage({ kind: 'open', id, filename: db.name });

  return {
    async close() {
      if (!closing && !done) {
        closing = true;
        state.closing++;
        // Awaiting the answer must keep the process alive until the worker has closed the file.
        state.worker.ref();
        state.worker.postMessage({ kind: 'close', id });
      }
      await closed;
      restore();
    },
  };
}
