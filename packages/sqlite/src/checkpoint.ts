/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit
 * that fills the WAL past 1,000 pages, on the committing thread, and it fsyncs the WAL and
 * the database file: on the store's connection that stalled the event loop for up to
 * 144 ms (commits themselves do not fsync with `synchronous = NORMAL`), and every relay,
 * consumer and request in the process waited with it (docs/benchmarks.md, latency).
 *
 * In `'background'` mode the store's connection never checkpoints (`wal_autocheckpoint = 0`)
 * and a worker thread with its own connection to the same file runs a `PASSIVE` checkpoint
 * every `intervalMs` when another connection has committed since the last one. A passive
 * checkpoint never blocks writers or readers, and durability does not change: a commit is
 * in the WAL either way. If the worker fails, the store reports it and turns the automatic
 * checkpoint back on, so the WAL never grows without bound.
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
const db = new Database(workerData.filename, { fileMustExist: true });
db.pragma('busy_timeout = 0');
// Unknown at first: commits made while the worker started are checkpointed on its first tick.
let version;
const timer = setInterval(() => {
  const now = db.pragma('data_version', { simple: true });
  if (now === version) return;
  version = now;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    // Another process's checkpoint holds the lock: it does the same work.
    if (!String(error && error.code).startsWith('SQLITE_BUSY')) throw error;
  }
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export interface BackgroundCheckpoint {
  /** Resolves once the worker has started and opened its connection (tests and diagnostics). */
  readonly ready: Promise<void>;
  /**
   * Stops the worker and closes its connection, and gives the store's connection its own
   * automatic checkpoint back if it is still open. The last connection to close checkpoints
   * and removes the WAL, as SQLite always does.
   */
  close(): Promise<void>;
}

/**
 * Starts the checkpoint worker for `db`, or returns `undefined` for a database without a
 * file (`:memory:` or a temporary one), which has no WAL to checkpoint.
 */
export function startBackgroundCheckpoint(
  db: Database.Database,
  options: { readonly intervalMs: number; readonly onError: (error: unknown) => void },
): BackgroundCheckpoint | undefined {
  if (db.memory || db.name === '') return undefined;
  // Restored when the worker fails, and at close for a connection the store was given.
  const previous = Number(db.pragma('wal_autocheckpoint', { simple: true }));
  const restore = () => {
    if (db.open) db.pragma(`wal_autocheckpoint = ${previous}`);
  };
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(workerSource, {
    eval: true,
    // Not the parent's flags: `--input-type=module` or a loader would change how the source runs.
    execArgv: [],
    workerData: {
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      filename: db.name,
      intervalMs: options.intervalMs,
    },
  });
  let closing = false;
  let failed = false;
  let resolveReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const fail = (reason: unknown) => {
    if (closing || failed) return;
    failed = true;
    restore();
    resolveReady();
    options.onError(
      new StoreError(
        `The background WAL checkpoint of SQLite database ${JSON.stringify(db.name)} stopped (${String(reason)}); ` +
          'the store checkpoints on its own connection from now on.',
        { cause: reason },
      ),
    );
  };
  worker.on('message', (message) => {
    if (message === 'ready') resolveReady();
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(`the worker exited with code ${code}`));
  // A store left open must not keep the process alive. After the listeners: adding a
  // message listener refs the worker again.
  worker.unref();

  return {
    ready,
    async close() {
      if (closing) return exited;
      closing = true;
      // Awaiting the exit must keep the process alive until the worker has closed its connection.
      worker.ref();
      if (!failed) worker.postMessage('close');
      await exited;
      restore();
    },
  };
}
