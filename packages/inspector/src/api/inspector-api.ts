/**
 * The inspector's JSON API as a plain function from a request to a response, with no HTTP
 * in it: the server adds sockets, the token and static files; tests call it directly over
 * a memory store. Routes:
 *
 * - `GET /api/info` — store, read-only flag, catalog definitions
 * - `GET /api/events?type&subject&correlation&causation&since&until&after&limit&order`
 * - `GET /api/events/:id` — envelope, payload, deliveries per handler
 * - `GET /api/events/:id/graph` — causation graph
 * - `GET /api/stats` — backlog per consumer
 * - `GET /api/timeseries` — events per minute and backlog samples
 * - `GET /api/dead-letters?consumer&limit` — the outbox's dead deliveries and the
 *   consumer's received dead letters (`receivedDeadLetters`, filtered by handler = consumer)
 * - `POST /api/dead-letters/redrive` — 403 unless redrive is allowed; `{ receivedId(s) }`
 *   requests the redrive of received ones (the consumer's redrive loop republishes them)
 */
import { type Catalog, ConfigurationError, type DeliveryStatus, type OutboxStore } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';
import { buildCausationGraph } from './causation-graph.ts';
import { maxLimit, toEventQuery } from './event-filter.ts';
import {
  isReceivedRedriveBody,
  listReceived,
  parseReceivedRedrive,
  requestReceivedRedrive,
} from './received-dead-letters.ts';
import { parseRedriveSelection, redriveDeadLetters } from './redrive.ts';
import type { TimeseriesRecorder } from './timeseries.ts';

export interface ApiRequest {
  readonly method: string;
  /** The path without the query string, e.g. `/api/events/0193…/graph`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body of a POST. */
  readonly body?: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface InspectorApiOptions {
  readonly store: OutboxStore;
  /** Allow `POST /api/dead-letters/redrive`. Default false: read-only. */
  readonly allowRedrive?: boolean;
  readonly timeseries?: TimeseriesRecorder;
  readonly catalog?: Catalog;
  /** Shown in the page header, e.g. the SQLite file or the redacted URL. */
  readonly storeLabel?: string;
}

export type InspectorApi = (request: ApiRequest) => Promise<ApiResponse>;

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
const problem = (status: number, error: string, code?: string): ApiResponse => ({
  status,
  body: { error, ...(code === undefined ? {} : { code }) },
});

/**
 * @example
 * const api = createInspectorApi({ store: createMemoryOutboxStore() });
 * const { status, body } = await api({ method: 'GET', path: '/api/stats', query: new URLSearchParams() });
 */
export function createInspectorApi(options: InspectorApiOptions): InspectorApi {
  const { store, allowRedrive = false } = options;

  const summarise = async (eventId: string) => {
    const deliveries = await store.deliveries(eventId);
    const counts: Record<DeliveryStatus, number> = { pending: 0, done: 0, dead: 0 };
    for (const d of deliveries) counts[d.status] += 1;
    return counts;
  };

  const routes: Record<string, (request: ApiRequest, id: string) => Promise<ApiResponse>> = {
    'GET /api/info': async () =>
      ok({
        store: options.storeLabel ?? 'store',
        allowRedrive,
        definitions: (options.catalog?.definitions ?? []).map((d) => ({
          type: d.type,
          version: d.version,
          description: d.description,
        })),
      }),
    'GET /api/events': async ({ query }) => {
      const eventQuery = toEventQuery({
        type: query.getAll('type'),
        subject: query.get('subject') ?? undefined,
        correlation: query.get('correlation') ?? undefined,
        causation: query.get('causation') ?? undefined,
        since: query.get('since') ?? undefined,
        until: query.get('until') ?? undefined,
        after: query.get('after') ?? undefined,
        limit: query.get('limit') ?? undefined,
        order: query.get('order') ?? undefined,
      });
      const rows = await store.events(eventQuery);
      const events = await Promise.all(
        rows.map(async ({ position, event }) => ({ position, event, deliveries: await summarise(event.id) })),
      );
      return ok({ events });
    },
    'GET /api/events/:id': async (_request, id) => {
      const stored = await store.event(id);
      if (!stored) return problem(404, `No event with id ${JSON.stringify(id)} in this store.`);
      const definition = options.catalog?.get(stored.event.type);
      return ok({
        position: stored.position,
        event: stored.event,
        description: definition?.description,
        deliveries: await store.deliveries(id),
      });
    },
    'GET /api/events/:id/graph': async (_request, id) => {
      const graph = await buildCausationGraph(store, id);
      return graph ? ok(graph) : problem(404, `No event with id ${JSON.stringify(id)} in this store.`);
    },
    'GET /api/stats': async () => {
      const consumers = await store.stats();
      const pending = consumers.reduce((sum, s) => sum + s.pending, 0);
      const lagMs = consumers.reduce((max, s) => Math.max(max, s.oldestPendingAgeMs), 0);
      return ok({ pending, lagMs, consumers });
    },
    'GET /api/timeseries': async () =>
      ok(options.timeseries?.snapshot() ?? { intervalMs: 0, eventsPerMinute: [], backlog: [] }),
    'GET /api/dead-letters': async ({ query }) => {
      const consumer = query.get('consumer') ?? undefined;
      const { limit } = toEventQuery({ limit: query.get('limit') ?? undefined }, maxLimit);
      const deadLetters = await store.deadLetters({
        ...(consumer ? { consumer } : {}),
        ...(limit === undefined ? {} : { limit }),
      });
      const receivedDeadLetters = await listReceived(store, { handler: consumer, limit });
      return ok({ allowRedrive, deadLetters, receivedDeadLetters });
    },
    'POST /api/dead-letters/redrive': async ({ body }) => {
      if (!allowRedrive) {
        return problem(403, 'The inspector is read-only. Restart it with --allow-redrive to redrive.');
      }
      if (isReceivedRedriveBody(body)) {
        return ok({ requested: await requestReceivedRedrive(store, parseReceivedRedrive(body)) });
      }
      return ok({ redriven: await redriveDeadLetters(store, parseRedriveSelection(body)) });
    },
  };

  return async (request) => {
    const { key, id } = route(request.method, request.path);
    const handler = routes[key];
    if (!handler) {
      const known = Object.keys(routes).some((k) => k.endsWith(` ${key.split(' ')[1]}`));
      return known
        ? problem(405, `${request.method} is not allowed on ${request.path}.`)
        : problem(404, `No API route ${request.path}.`);
    }
    try {
      return await handler(request, id);
    } catch (error) {
      if (ConfigurationError.is(error)) return problem(400, error.message, error.code);
      return problem(500, errorMessage(error));
    }
  };
}

/** Matches `/api/events/<id>` and `/api/events/<id>/graph` to their route keys. */
function route(method: string, path: string): { key: string; id: string } {
  const match = /^\/api\/events\/([^/]+)(\/graph)?$/.exec(path);
  if (match?.[1]) {
    let id = match[1];
    try {
      id = decodeURIComponent(id);
    } catch {
      // Leave a malformed escape as it is; the lookup simply finds nothing.
    }
    return { key: `${method} /api/events/:id${match[2] ?? ''}`, id };
  }
  return { key: `${method} ${path}`, id: '' };
}
