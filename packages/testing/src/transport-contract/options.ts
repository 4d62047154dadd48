/**
 * What an adapter hands to `runTransportContract`: how to make a fresh client, which
 * capabilities it declares, and the failure hooks the suite needs to test crashes and
 * reconnection. Capabilities a transport lacks skip their tests with the reason shown.
 */
import type { Transport, TransportFeatures } from '@tidings/core';
import type { InteropOptions } from './interop.ts';

export interface TransportContractOptions {
  /** Shown in the suite title, e.g. `rabbitmq (quorum)`. */
  readonly name: string;
  /**
   * The capabilities the transport declares. MUST equal `transport.features` of what
   * `create` returns (the suite checks); tests that need a missing one are skipped.
   */
  readonly features: TransportFeatures;
  /**
   * Makes a new, independent client of ONE shared broker: two calls MUST see the same
   * topics and groups, like two processes would. The suite calls it at least once per
   * test, uses unique topic and group names, and closes every instance after the test.
   */
  readonly create: () => Promise<Transport>;
  /**
   * Makes `transport` behave as if its process died: the connection drops abruptly,
   * nothing it holds is acked or drained, and it never reconnects. Handlers still running
   * may keep running; the suite releases them and later calls `close()`, which MUST then
   * resolve. Without it the crash test is skipped.
   */
  readonly crash?: (transport: Transport) => Promise<void>;
  /**
   * Breaks the connection of `transport` from outside (socket destroyed, server closing
   * it) so that the client must notice and reconnect by itself. Without it the
   * reconnection test is skipped.
   */
  readonly dropConnection?: (transport: Transport) => Promise<void>;
  /**
   * Two members of one group both receive some of a burst of messages. False where the
   * broker may give a whole burst to one member (e.g. a single partition). Default true.
   */
  readonly balancesGroupMembers?: boolean;
  /** The longest the suite waits for any one outcome (ms). Default 10 000. */
  readonly timeoutMs?: number;
  /**
   * The official `cloudevents` SDK and a raw-driver adapter, for the interop scenarios
   * (SDK-encoded events in, SDK-parsed events out). Without it they are skipped.
   */
  readonly interop?: InteropOptions;
}

/** What each scenario file receives. */
export interface ContractContext
  extends Required<Omit<TransportContractOptions, 'crash' | 'dropConnection' | 'interop'>> {
  readonly interop: TransportContractOptions['interop'];
  readonly crash: TransportContractOptions['crash'];
  readonly dropConnection: TransportContractOptions['dropConnection'];
}

/** A test name that states why it is skipped, only when it is. */
export function titled(title: string, skip: boolean, reason: string): string {
  return skip ? `${title} (skipped: ${reason})` : title;
}
