/**
 * Makes sure the JetStream stream exists and covers `<prefix>.>`: created on first use,
 * extended with the subject if it exists without it, left alone otherwise. Safe to run from
 * many processes at once.
 */
import { JetStreamApiCodes, JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { TransportError } from '@tidings/core';
import type { ResolvedNatsOptions } from './options.ts';

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}

export async function ensureStream(jsm: JetStreamManager, options: ResolvedNatsOptions): Promise<void> {
  const subject = `${options.prefix}.>`;
  try {
    try {
      const info = await jsm.streams.info(options.stream);
      if (info.config.subjects?.includes(subject)) return;
      await jsm.streams.update(options.stream, {
        subjects: [...(info.config.subjects ?? []), subject],
      });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      // Another process may create it between our info and add; add is idempotent for an identical config.
      await jsm.streams.add({
        name: options.stream,
        subjects: [subject],
        duplicate_window: nanos(options.duplicateWindowMs),
      });
    }
  } catch (error) {
    throw new TransportError(
      `Cannot set up JetStream stream "${options.stream}" for subjects "${subject}": ${(error as Error).message}. Check that JetStream is enabled and that no other stream already claims these subjects.`,
      { cause: error },
    );
  }
}
