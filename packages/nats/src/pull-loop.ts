/**
 * Pulls one durable consumer for as long as it runs. A JetStream message's ackWait starts
 * when the server sends it, so the loop asks only for free slots of its own (at most
 * `capacity` messages held per consumer, each under the subscription's heartbeat), and a
 * pull that finds nothing ends after a short while and is renewed.
 *
 * Pulls overlap: a pull ends only when its batch is full or it expires, so waiting for it
 * before the next one would leave freed slots idle until it filled or expired. While one is open, the
 * next is sent once half the capacity is free again (each pull costs the client a
 * subscription: a quarter doubled the pulls and cost more CPU than it saved); with none
 * open, the first free slot is enough.
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
  /** Stops pulling (outstanding pulls are closed) and resolves when the loop ended. */
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
  const open = new Set<ConsumerMessages>();
  const pulls = new Set<Promise<void>>();
  const batchSize = Math.max(1, Math.ceil(capacity / 2));
  const least = () => (pulls.size === 0 ? 1 : batchSize);
  let failed: Promise<void> | undefined;
  let ended: Promise<void> | undefined;
  const loop: PullLoop = {
    settled: () => slots.give(1),
    async stop() {
      stopping.abort();
      slots.close();
      await Promise.all([...open].map((batch) => batch.close().catch(() => undefined)));
      await ended;
    },
  };

  const pull = async (wanted: number): Promise<void> => {
    let delivered = 0;
    let batch: ConsumerMessages | undefined;
    try {
      batch = await consumer.fetch({ max_messages: wanted, expires: pullExpiresMs });
      open.add(batch);
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
      failed ??= pause(pullRetryMs, stopping.signal).then(() => {
        failed = undefined;
      });
    } finally {
      if (batch) open.delete(batch);
      slots.give(wanted - delivered);
    }
  };

  ended = (async () => {
    while (!stopping.signal.aborted) {
      if (failed) await failed;
      const wanted = await slots.take(capacity, least);
      if (wanted === 0) break;
      const pulling: Promise<void> = pull(wanted).finally(() => {
        pulls.delete(pulling);
        // With no pull left open, a single free slot is worth a pull again.
        slots.give(0);
      });
      pulls.add(pulling);
    }
    await Promise.all(pulls);
  })();
  return loop;
}
