/**
 * The causation graph of one event, for the inspector's event page: the chain of causes
 * above it (what caused it, up to the story's first event) and everything it caused below
 * it, transitively, across handlers and services, laid out by depth. Built on core's
 * `causationChain` and `causationTree` over `causationId` links in the audit log.
 */
import {
  type AnyDomainEvent,
  type CausationNode,
  causationChain,
  causationTree,
  type EventSubject,
  type OutboxStore,
} from '@tidings/core';

export interface GraphNode {
  readonly id: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly subject: EventSubject | undefined;
  /** 0 for the focused event, negative for its causes, positive for what it caused. */
  readonly depth: number;
  /** The event's position in the audit log, when known. */
  readonly position: number | undefined;
}

export interface GraphEdge {
  /** The cause. */
  readonly from: string;
  /** The event it caused. */
  readonly to: string;
}

export interface CausationGraph {
  readonly focus: string;
  readonly correlationId: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  /** True when the graph hit `maxNodes` and some descendants are missing. */
  readonly truncated: boolean;
}

export interface CausationGraphOptions {
  /** Most events to include below the focus. Default 500. */
  readonly maxNodes?: number;
}

/**
 * Returns undefined when no event has that id.
 *
 * @example
 * const graph = await buildCausationGraph(store, orderPlaced.id);
 * graph?.edges; // [{ from: orderPlaced.id, to: emailSent.id }]
 */
export async function buildCausationGraph(
  store: Pick<OutboxStore, 'event' | 'events'>,
  eventId: string,
  options: CausationGraphOptions = {},
): Promise<CausationGraph | undefined> {
  const maxNodes = options.maxNodes ?? 500;
  const tree = await causationTree(store, eventId, { maxNodes });
  if (!tree) return undefined;
  const chain = await causationChain(store, eventId);
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  // Causes: the chain ends with the focus itself, so the first entries sit at negative depths.
  const causes = chain.slice(0, -1);
  causes.forEach((event, index) => {
    nodes.push(toNode(event, index - causes.length, undefined));
    const next = chain[index + 1];
    if (next) edges.push({ from: event.id, to: next.id });
  });
  const walk = (node: CausationNode, depth: number) => {
    nodes.push(toNode(node.event, depth, node.position));
    for (const child of node.caused) {
      edges.push({ from: node.event.id, to: child.event.id });
      walk(child, depth + 1);
    }
  };
  walk(tree, 0);
  return {
    focus: eventId,
    correlationId: tree.event.correlationId,
    nodes,
    edges,
    truncated: nodes.length - causes.length >= maxNodes,
  };
}

function toNode(event: AnyDomainEvent, depth: number, position: number | undefined): GraphNode {
  return {
    id: event.id,
    type: event.type,
    occurredAt: event.occurredAt,
    subject: event.subject,
    depth,
    position,
  };
}
