import { createMemoryOutboxStore, type MemoryOutboxStore, receivedDeadLetterIdOf } from '@tidings/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { receivedDeadLetter } from '../fixtures/received-dead-letter.ts';
import {
  dashboard,
  type ShopStory,
  sendEmail,
  storyCatalog,
  writeShopStory,
} from '../fixtures/shop-story.ts';
import { createInspectorApi, type InspectorApi } from './inspector-api.ts';
import { createTimeseriesRecorder } from './timeseries.ts';

const get = (api: InspectorApi, url: string) => {
  const parsed = new URL(url, 'http://x');
  return api({ method: 'GET', path: parsed.pathname, query: parsed.searchParams });
};
const post = (api: InspectorApi, path: string, body: unknown) =>
  api({ method: 'POST', path, query: new URLSearchParams(), body });

describe('inspector API over a memory store', () => {
  let store: MemoryOutboxStore;
  let story: ShopStory;
  let api: InspectorApi;

  beforeEach(async () => {
    store = createMemoryOutboxStore();
    story = await writeShopStory(store);
    api = createInspectorApi({ store, catalog: storyCatalog, storeLabel: 'memory' });
  });

  it('lists events with filters and a delivery summary per event', async () => {
    const all = await get(api, '/api/events');
    expect(all.status).toBe(200);
    const rows = (all.body as { events: { event: { id: string }; deliveries: unknown }[] }).events;
    expect(rows.map((r) => r.event.id)).toEqual([
      story.placed.id,
      story.bounced.id,
      story.emailed.id,
      story.filed.id,
    ]);
    expect(rows[1]?.deliveries).toEqual({ pending: 0, done: 1, dead: 1 });

    const bySubject = await get(api, '/api/events?subject=Order:o-1003');
    expect((bySubject.body as { events: unknown[] }).events).toHaveLength(1);
    const byType = await get(api, '/api/events?type=shop.EmailSent,shop.ReceiptFiled&order=desc&limit=1');
    expect((byType.body as { events: { event: { id: string } }[] }).events[0]?.event.id).toBe(story.filed.id);
  });

  it('refuses a bad filter with 400 and says what to send', async () => {
    const bad = await get(api, '/api/events?subject=Order&since=yesterday');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: string }).error).toMatch(/Type:id/);
    const badLimit = await get(api, '/api/events?limit=-3');
    expect(badLimit.status).toBe(400);
  });

  it('shows one event with its deliveries, and 404 for an unknown id', async () => {
    const found = await get(api, `/api/events/${story.bounced.id}`);
    expect(found.status).toBe(200);
    const body = found.body as { description: string; deliveries: { consumer: string; status: string }[] };
    expect(body.description).toBe('A customer placed an order.');
    expect(body.deliveries.map((d) => [d.consumer, d.status]).sort()).toEqual(
      [
        [sendEmail, 'dead'],
        [dashboard, 'done'],
      ].sort(),
    );
    expect((await get(api, '/api/events/nope')).status).toBe(404);
  });

  it('draws the causation graph: causes above, what it caused below', async () => {
    const response = await get(api, `/api/events/${story.emailed.id}/graph`);
    const graph = response.body as {
      nodes: { id: string; depth: number }[];
      edges: { from: string; to: string }[];
    };
    expect(graph.nodes.map((n) => [n.id, n.depth])).toEqual([
      [story.placed.id, -1],
      [story.emailed.id, 0],
      [story.filed.id, 1],
    ]);
    expect(graph.edges).toEqual([
      { from: story.placed.id, to: story.emailed.id },
      { from: story.emailed.id, to: story.filed.id },
    ]);
  });

  it('reports backlog per consumer and lists dead letters with their reason', async () => {
    const stats = (await get(api, '/api/stats')).body as {
      pending: number;
      consumers: { consumer: string }[];
    };
    expect(stats.pending).toBe(0);
    expect(stats.consumers.map((c) => c.consumer)).toEqual([sendEmail, dashboard].sort());
    const dead = (await get(api, '/api/dead-letters')).body as {
      allowRedrive: boolean;
      deadLetters: { eventId: string; lastError: string }[];
    };
    expect(dead.allowRedrive).toBe(false);
    expect(dead.deadLetters).toMatchObject([{ eventId: story.bounced.id, lastError: story.deadError }]);
  });

  it('refuses redrive when read-only, and redrives when allowed', async () => {
    const refused = await post(api, '/api/dead-letters/redrive', { all: true });
    expect(refused.status).toBe(403);
    expect(await store.deadLetters()).toHaveLength(1);

    const writable = createInspectorApi({ store, allowRedrive: true });
    expect((await post(writable, '/api/dead-letters/redrive', { nonsense: 1 })).status).toBe(400);
    const done = await post(writable, '/api/dead-letters/redrive', {
      eventId: story.bounced.id,
      consumer: sendEmail,
    });
    expect(done).toEqual({ status: 200, body: { redriven: 1 } });
    expect(await store.deadLetters()).toHaveLength(0);
    const stats = (await get(writable, '/api/stats')).body as { pending: number };
    expect(stats.pending).toBe(1);
  });

  it("lists the consumer's received dead letters and requests their redrive, only when allowed", async () => {
    const letter = receivedDeadLetter();
    await store.receivedDeadLetters.put(letter);
    const id = receivedDeadLetterIdOf(letter.handler, letter.messageId);
    const listed = await get(api, '/api/dead-letters?consumer=update-dashboard');
    const { deadLetters, receivedDeadLetters } = listed.body as {
      deadLetters: unknown[];
      receivedDeadLetters: { id: string; kind: string; eventType: string; bodyBase64: string }[];
    };
    expect(deadLetters).toEqual([]);
    expect(receivedDeadLetters).toMatchObject([
      {
        id,
        kind: 'received',
        eventType: 'shop.OrderPlaced',
        bodyBase64: Buffer.from(letter.body).toString('base64'),
      },
    ]);
    expect((await post(api, '/api/dead-letters/redrive', { receivedId: id })).status).toBe(403);
    const writable = createInspectorApi({ store, allowRedrive: true });
    expect((await post(writable, '/api/dead-letters/redrive', { receivedIds: [7] })).status).toBe(400);
    const requested = await post(writable, '/api/dead-letters/redrive', { receivedId: id });
    expect(requested).toMatchObject({ status: 200, body: { requested: 1 } });
    expect((await store.receivedDeadLetters.get(id))?.status).toBe('redrive-requested');
    expect((await post(writable, '/api/dead-letters/redrive', { received: 'all' })).body).toEqual({
      requested: 0,
    });
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    expect((await get(api, '/api/nothing')).status).toBe(404);
    expect((await post(api, '/api/stats', {})).status).toBe(405);
  });

  it('serves the recorded time series', async () => {
    let now = Date.parse('2026-11-26T08:00:30Z');
    const recorder = createTimeseriesRecorder(store, { intervalMs: 0, clock: () => now, minutes: 2 });
    const withSeries = createInspectorApi({ store, timeseries: recorder });
    await recorder.sample();
    now += 60_000;
    await recorder.sample();
    const series = (await get(withSeries, '/api/timeseries')).body as {
      eventsPerMinute: { minute: string; count: number }[];
      backlog: { pending: number }[];
    };
    expect(series.eventsPerMinute.map((m) => m.minute)).toEqual([
      '2026-11-26T08:00:00.000Z',
      '2026-11-26T08:01:00.000Z',
    ]);
    expect(series.backlog.map((b) => b.pending)).toEqual([0, 0]);
  });
});
