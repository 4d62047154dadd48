/**
 * Checking a client out of the pool so that a lost connection fails the operation instead
 * of the process. pg-pool removes its own 'error' listener while a client is checked out,
 * and pg emits 'error' when the server ends the backend between two queries (a restart,
 * `pg_terminate_backend`): with no listener that event kills the process. Here a checked-out
 * client always has one; `lost` rejects with the error so the holder can stop waiting, and
 * `release()` destroys the broken client instead of returning it to the pool.
 */
import type { Pool, PoolClient } from 'pg';

export interface CheckedOutClient {
  readonly client: PoolClient;
  /** Rejects once the connection is lost while checked out; never resolves. */
  readonly lost: Promise<never>;
  /** Marks the client as unfit for reuse: `release()` destroys it. */
  discard(error: Error): void;
  /** Returns the client to the pool, or destroys it when it broke or was discarded. */
  release(): void;
}

export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let reject: (error: Error) => void = () => undefined;
  const lost = new Promise<never>((_, rejectLost) => {
    reject = rejectLost;
  });
  lost.catch(() => undefined); // nobody may be racing it when the connection drops
  const onError = (error: Error) => {
    broken ??= error;
    reject(error);
  };
  client.on('error', onError);
  return {
    client,
    lost,
    discard(error) {
      broken ??= error;
    },
    release() {
      client.off('error', onError);
      client.release(broken);
    },
  };
}
