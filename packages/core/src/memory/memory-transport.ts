/**
 * The in-memory Transport: consumer groups, round-robin among members, per-key ordering,
 * redelivery (with the delay a handler asks for), draining close. For tests, prototypes
 * and single-process apps; it passes the same contract suite as the broker adapters.
 * Nothing survives the process.
 */
import { ClosedError, ConfigurationError } from '../errors/errors.ts';
import type { Subscription, Transport, TransportFeatures } from '../transport/transport.ts';
import { createMemoryBroker, type MemberHandle, type MemoryBroker } from './memory-broker.ts';

export { createMemoryBroker, type MemoryBroker } from './memory-broker.ts';

export interface MemoryTransportOptions {
  /** Share one broker between transports to model several processes. Default: a private one. */
  readonly broker?: MemoryBroker;
  /** Default `memory`. */
  readonly name?: string;
}

export interface MemoryTransport extends Transport {
  /**
   * Simulates the process dying, for failure tests: no draining, nothing acked, messages
   * in flight go back to their groups at once; the transport is closed afterwards.
   */
  crash(): void;
}

/** What the in-memory transport guarantees. */
export const memoryTransportFeatures: TransportFeatures = Object.freeze({
  orderingByKey: true,
  nativeDeadLetter: false,
  nativeDedup: false,
  delayedRedelivery: true,
  redeliversUnacked: true,
  replaysHistory: false,
});

interface Member {
  readonly handle: MemberHandle;
  readonly close: () => Promise<void>;
}

/**
 * @example
 * const transport = createMemoryTransport();
 * await transport.subscribe({ group: 'emails', topics: ['order.placed'] }, async (m) => send(m));
 * await transport.publish([{ id, topic: 'order.placed', key: 'Order:1', headers, body }]);
 * await transport.close();
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const broker = options.broker ?? createMemoryBroker();
  const name = options.name ?? 'memory';
  const members = new Set<Member>();
  let closing: Promise<void> | undefined;

  const closedError = (what: string) =>
    new ClosedError(`Cannot ${what}: the ${name} transport is closed. Create a new transport.`);

  return {
    name,
    features: memoryTransportFeatures,

    async publish(messages) {
      if (closing) throw closedError('publish');
      broker.accept(messages);
    },

    async subscribe(request, handler, subscribeOptions = {}): Promise<Subscription> {
      if (closing) throw closedError('subscribe');
      const concurrency = request.concurrency ?? 1;
      if (!Number.isInteger(concurrency) || concurrency < 1) {
        throw new ConfigurationError(
          `Subscription concurrency must be a positive integer, got ${String(concurrency)}.`,
        );
      }
      if (request.topics.length === 0) {
        throw new ConfigurationError(`Subscription of group "${request.group}" names no topics.`);
      }
      let wake: (() => void) | undefined;
      const handle = broker.join(request.group, {
        topics: new Set(request.topics),
        concurrency,
        handler,
        settled: () => wake?.(),
      });
      let closed: Promise<void> | undefined;
      const member: Member = {
        handle,
        close: () => {
          closed ??= (async () => {
            handle.leave();
            while (handle.inFlight() > 0) await new Promise<void>((resolve) => (wake = resolve));
            members.delete(member);
          })();
          return closed;
        },
      };
      members.add(member);
      const signal = subscribeOptions.signal;
      if (signal?.aborted) await member.close();
      else signal?.addEventListener('abort', () => void member.close(), { once: true });
      return { close: member.close };
    },

    close() {
      closing ??= Promise.all([...members].map((m) => m.close())).then(() => undefined);
      return closing;
    },

    crash() {
      for (const member of members) member.handle.abandon();
      members.clear();
      closing ??= Promise.resolve();
    },
  };
}
