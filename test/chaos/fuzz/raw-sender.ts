/**
 * What the fuzz run needs of a broker's raw driver: send hostile messages where the
 * consumer listens, with no Tidings code in between. Every dead letter is counted in the
 * consumer's sink: transports no longer dead-letter anything themselves.
 */
import type { HeaderValue, HostileMessage } from './hostile.ts';

export interface RawSender {
  /** The largest body this broker carries (the huge-body messages use it). */
  readonly huge: number;
  /**
   * For a peer that deletes unread messages past a size (librdkafka's mock keeps 5 MiB per
   * partition): the most messages sent and not yet accounted for by the consumer. The runner
   * waits for the consumer to catch up before sending more. Unset: no limit.
   */
  readonly window?: number;
  send(batch: readonly HostileMessage[]): Promise<void>;
  close(): Promise<void>;
}

/** A header value as text, for brokers whose headers are strings only. */
export function asText(value: HeaderValue): string {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** Core's `ce-*` values are percent-encoded; a protocol binding carries them decoded. */
export function plain(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export const fuzzTopic = 'crash.Ticked';
