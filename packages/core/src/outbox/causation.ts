/**
 * The causation tree of an event: what it caused, transitively, read from the audit log.
 * Built from `causationId` links, so it follows a story across handlers and services as
 * long as their events reach the same store.
 */
import type { AnyDomainEvent } from '../event/envelope.ts';
import type { OutboxStore } from './outbox-store.ts';

export interface CausationNode {
  readonly event: AnyDomainEvent;
  readonly position: number;
  readonly caused: readonly CausationNode[];
}

export interface CausationTreeOptions {
  /** Stops descending past this depth. Default 32. */
  readonly maxDepth?: number;
  /** Stops after this many events in all. Default 1000. */
  readonly maxNodes?: number;
}

/**
 * @example
 * const tree = await causationTree(store, orderPlaced.id);
 * // tree.caused[0].event.type === 'OrderConfirmationEmailSent'
 */
export async function causationTree(
  store: Pick<OutboxStore, 'event' | 'events'>,
  eventId: string,
  options: CausationTreeOptions = {},
): Promise<CausationNode | undefined> {
  const root = await store.event(eventId);
  if (!root) return undefined;
  const maxDepth = options.maxDepth ?? 32;
  let budget = (options.maxNodes ?? 1000) - 1;
  const seen = new Set([eventId]);
  const build = async (id: string, depth: number): Promise<CausationNode[]> => {
    if (depth >= maxDepth || budget <= 0) return [];
    const children = await store.events({ causationId: id, limit: Math.min(budget, 1000) });
    const nodes: CausationNode[] = [];
    for (const child of children) {
      if (seen.has(child.event.id) || budget <= 0) continue;
      seen.add(child.event.id);
      budget -= 1;
      nodes.push({ ...child, caused: await build(child.event.id, depth + 1) });
    }
    return nodes;
  };
  return { ...root, caused: await build(eventId, 0) };
}

/** The chain of causes from the story's first event down to `eventId` (inclusive). */
export async function causationChain(
  store: Pick<OutboxStore, 'event'>,
  eventId: string,
  maxDepth = 64,
): Promise<readonly AnyDomainEvent[]> {
  const chain: AnyDomainEvent[] = [];
  let id: string | undefined = eventId;
  while (id !== undefined && chain.length < maxDepth) {
    const stored = await store.event(id);
    if (!stored) break;
    chain.unshift(stored.event);
    id = stored.event.causationId;
  }
  return chain;
}
