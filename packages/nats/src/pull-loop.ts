/**
 * Pulls one durable consumer for as long as it runs. A JetStream message's ackWait starts
 * when the server sends it, so the loop asks only for free slots of its own (at most
 * `capacity` messages held per consumer, each under the subscription's heartbeat), and a
 * pull that finds nothing ends after a short while and is renewed.
 */
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { pause } from '@tidings/core/spi';
import { createPullSlots } from './pull-slots.ts';

// Short, so a stopped loop or a lane handed over is not kept waiting on an idle pull.
const pullExpiresMs = 2_000;
const pullRetryMs = 500;

export interface PullLoop {
  /** A message this loop delivered was settled: its slot is free again. */
  settled(): void;
  /** Stops pulling (an outstanding pull is closed) and resolves when the loop ended. */
  stop(): Promise<void>;
}

export function startPullLoop(
  consumer: Consumer,
  capacity: number,
  deliver: (msg: JsMsg, loop: PullLoop) => void,
  onError: (error: unknown) => void,
): PullLoop {
  const slots = createPullSlots(capacity);
  const stopping = new AbortController();
  let batch: ConsumerMessages | undefined;
  let ended: Promise<void> | undefined;
  const loop: PullLoop = {
    settled: () => slots.give(1),
    async stop() {
      stopping.abort();
      slots.close();
      await batch?.close().catch(() => undefined);
      await ended;
    },
  };
  ended = (async () => {
    while (!stopping.signal.aborted) {
      const wanted = await slots.take(capacity);
      if (wanted === 0) return;
      let delivered = 0;
      try {
        batch = await consumer.fetch({ max_messages: wanted, expires: pullExpiresMs });
        // Stopped meanwhile: close it now (its iterator then ends at once).
        if (stopping.signal.aborted) void batch.close().catch(() => undefined);
        for await (const msg of batch) {
          delivered += 1;
          deliver(msg, loop);
        }
      } catch (error) {
        if (stopping.signal.aborted) return;
        onError(error);
        // The client reconnects by itself; wait a little rather than spin on a failing pull.
        await pause(pullRetryMs, stopping.signal);
      } finally {
        batch = undefined;
        slots.give(wanted - delivered);
      }
    }
  })();
  return loop;
}
