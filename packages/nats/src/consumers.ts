/**
 * The durable pull consumers of a subscription: one per (group, topic) on the plain subject
 * (foreign producers' messages, unordered across members) and one per (group, topic, lane).
 * All are created at subscribe, so nothing published after `subscribe()` resolves is missed
 * whichever member takes a lane later. A member that takes a lane over resets its consumer
 * when the previous owner left deliveries unacked: JetStream would redeliver those after
 * ackWait, behind newer messages, so the consumer is recreated at its ack floor + 1 and
 * replays in stream order (already-acked messages above the floor come again: duplicates an
 * inbox drops).
 */
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { TransportError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import type { ResolvedNatsOptions } from './options.ts';

function baseConfig(options: ResolvedNatsOptions, name: string, subject: string): Partial<ConsumerConfig> {
  return {
    durable_name: name,
    filter_subject: subject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(options.ackWaitMs),
    // The backstop: JetStream stops redelivering after this many deliveries.
    max_deliver: options.maxDeliveries,
  };
}

export async function ensureConsumer(
  jsm: JetStreamManager,
  options: ResolvedNatsOptions,
  name: string,
  subject: string,
): Promise<void> {
  const config = {
    ...baseConfig(options, name, subject),
    deliver_policy: options.startFrom === 'latest' ? DeliverPolicy.New : DeliverPolicy.All,
  };
  try {
    await jsm.consumers.add(options.stream, config);
  } catch (addError) {
    // It exists with other settings (another member, a reset, an older version): keep it, align what can change.
    try {
      await jsm.consumers.update(options.stream, name, {
        ack_wait: nanos(options.ackWaitMs),
        max_deliver: options.maxDeliveries,
      });
    } catch (error) {
      throw new TransportError(
        `Cannot create or update JetStream consumer "${name}" on stream "${options.stream}" for "${subject}": ${errorMessage(addError)}; then ${errorMessage(error)}. Check the stream exists and the consumer is not a push consumer of another application.`,
        { cause: error },
      );
    }
  }
}

/**
 * What a reset costs the message at the ack floor: JetStream counts its deliveries afresh on
 * the new consumer, so a message that kills every member that takes it would never reach
 * the backstop. The consumer's description carries the floor and how many takeovers in a
 * row replayed from it; the new owner adds `earlier` to that message's delivery count.
 */
export interface Replay {
  /** The ack floor's stream sequence: the first message delivered above it is the one. */
  readonly floor: number;
  /** Deliveries of it before this takeover (0 when the floor moved since the last reset). */
  readonly earlier: number;
}

const replayNote = /^tidings replay from (\d+) #(\d+)$/;

/** Called by a lane's new owner before it pulls: replays from the ack floor if anything was left unacked. */
export async function resumeLaneConsumer(
  jsm: JetStreamManager,
  options: ResolvedNatsOptions,
  name: string,
  subject: string,
): Promise<Replay | undefined> {
  const info = await jsm.consumers.info(options.stream, name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return null;
    throw error;
  });
  if (!info) {
    await ensureConsumer(jsm, options, name, subject);
    return undefined;
  }
  if (info.num_ack_pending === 0 && info.num_redelivered === 0) return undefined;
  const floor = info.ack_floor.stream_seq;
  const last = replayNote.exec(info.config.description ?? '');
  // One delivery on the consumer that is going away, plus the takeovers before it from this floor.
  const takeovers = last && Number(last[1]) === floor ? Number(last[2]) + 1 : 1;
  await jsm.consumers.delete(options.stream, name);
  await jsm.consumers.add(options.stream, {
    ...baseConfig(options, name, subject),
    description: `tidings replay from ${floor} #${takeovers}`,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: floor + 1,
  });
  return { floor, earlier: takeovers };
}
