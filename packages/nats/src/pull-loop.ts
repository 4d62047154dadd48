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
 *
 * Messages are taken in the fetch's callback, not by iterating the fetch: each fetch's
 * iterator is an async generator, so with two pulls open the later of two consecutive
 * messages could reach `deliver` first (seen as 123 before 111 on one lane, which broke a
 * key's order in the contract suite). The callbacks run in the order the server sent the
 * messages, which for one consumer is stream order.
 */
import type { ConsumeCallback, Consumer, ConsumerMessages, FetchOptions, JsMsg } from '@nats-io/jetstream';
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
      // `callback` is read by nats.js's fetch as by consume (PullConsumerMessagesImpl), but
      // only consume's options type declares it; pull-loop.int.test.ts holds the order.
      const options: FetchOptions & ConsumeCallback = {
        max_messages: wanted,
        expires: pullExpiresMs,
        callback: (msg) => {
          delivered += 1;
          deliver(msg, loop);
        },
      };
      batch = await consumer.fetch(options);
      open.add(batch);
      // Stopped meanwhile: close it now (it then ends at once).
      if (stopping.signal.aborted) void batch.close().catch(() => undefined);
      // Resolves with the error that ended the fetch, if one did.
      const ended = await batch.closed();
      if (ended) throw ended;
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
      // Stopped while waiting for slots: no pull may leave after stop() (the lane may have
      // a new owner by the time it reaches the server).
      if (wanted === 0 || stopping.signal.aborted) {
        slots.give(wanted);
        break;
      }
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
