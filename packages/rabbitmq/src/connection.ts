/**
 * One AMQP connection that comes back by itself: after the broker or network drops it, it
 * reconnects with capped exponential backoff and tells listeners (the publisher and each
 * subscription), which re-declare what they need and resume. A connection the caller passed
 * in is used as is: it cannot be reopened without a URL, and `close()` leaves it open.
 */
import { ClosedError, TransportError } from '@tidings/core';
import { errorMessage, redactUrl } from '@tidings/core/spi';
import amqp, { type ChannelModel } from 'amqplib';

export interface ConnectionManager {
  /** The live connection, waiting up to `connectTimeoutMs` while (re)connecting. */
  model(): Promise<ChannelModel>;
  /** `listener` runs after every reconnect (not the first connect). Returns an unsubscribe. */
  onReconnect(listener: (model: ChannelModel) => void): () => void;
  readonly closed: boolean;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  /** Where to (re)connect; undefined when `model` is the caller's. */
  readonly url: string | undefined;
  readonly model: ChannelModel | undefined;
  readonly connect: ((url: string) => Promise<ChannelModel>) | undefined;
  readonly connectTimeoutMs: number;
  readonly name: string;
  readonly onError: (error: unknown) => void;
}

/**
 * Bounds one connection attempt: a broker that accepts the socket but never answers the
 * handshake would otherwise hold the first connect, or the reconnect loop, forever.
 */
function boundedConnect(
  connect: (url: string) => Promise<ChannelModel>,
  url: string,
  timeoutMs: number,
): Promise<ChannelModel> {
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no AMQP handshake within ${timeoutMs} ms`));
    }, timeoutMs);
    connect(url).then(
      (model) => {
        clearTimeout(timer);
        if (timedOut) void model.close().catch(() => {});
        else resolve(model);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export async function createConnectionManager(options: ConnectionOptions): Promise<ConnectionManager> {
  const open = options.connect ?? ((url: string) => amqp.connect(url));
  const connect = (url: string) => boundedConnect(open, url, options.connectTimeoutMs);
  const listeners = new Set<(model: ChannelModel) => void>();
  let current: ChannelModel | undefined;
  let waiters: Array<(model: ChannelModel) => void> = [];
  let lastError: unknown;
  let closed = false;
  let wakeBackoff: (() => void) | undefined;

  const where = options.url === undefined ? 'the given connection' : redactUrl(options.url);

  function adopt(model: ChannelModel, reconnected: boolean): void {
    // Without an 'error' listener an emitted error would crash the process.
    model.on('error', (error: unknown) => {
      lastError = error;
      options.onError(
        new TransportError(`RabbitMQ connection to ${where} failed: ${errorMessage(error)}; reconnecting.`),
      );
    });
    model.on('close', () => {
      if (current !== model) return;
      current = undefined;
      if (closed) return;
      if (options.url === undefined) {
        options.onError(
          new TransportError(
            'The RabbitMQ connection passed as `connection` closed; the transport cannot reopen it. Pass a URL to have it reconnect.',
          ),
        );
        return;
      }
      void reconnect(options.url);
    });
    current = model;
    for (const resolve of waiters) resolve(model);
    waiters = [];
    if (reconnected) for (const listener of listeners) listener(model);
  }

  async function reconnect(url: string): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      try {
        const model = await connect(url);
        if (closed) {
          await model.close().catch(() => {});
          return;
        }
        adopt(model, true);
        return;
      } catch (error) {
        lastError = error;
        const delay = Math.min(100 * 2 ** attempt, 5_000);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          wakeBackoff = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  if (options.model) {
    adopt(options.model, false);
  } else {
    try {
      adopt(await connect(options.url ?? ''), false);
    } catch (error) {
      throw new TransportError(
        `Cannot connect to RabbitMQ at ${where}: ${errorMessage(error)}. Check the connection URL and that the broker runs.`,
        { cause: error },
      );
    }
  }

  return {
    get closed() {
      return closed;
    },
    model() {
      if (closed) return Promise.reject(new ClosedError(`The ${options.name} transport is closed.`));
      if (current) return Promise.resolve(current);
      return new Promise<ChannelModel>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== onModel);
          reject(
            new TransportError(
              `RabbitMQ at ${where} is unreachable after ${options.connectTimeoutMs} ms of reconnecting; the last error was: ${String((lastError as Error | undefined)?.message ?? lastError)}.`,
              { cause: lastError },
            ),
          );
        }, options.connectTimeoutMs);
        const onModel = (model: ChannelModel) => {
          clearTimeout(timer);
          resolve(model);
        };
        waiters.push(onModel);
      });
    },
    onReconnect(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      wakeBackoff?.();
      const model = current;
      current = undefined;
      // The caller's connection stays open: it is theirs to close.
      if (model !== options.model) await model?.close().catch(() => {});
    },
  };
}
