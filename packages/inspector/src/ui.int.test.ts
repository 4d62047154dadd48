import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteOutboxStore, type SqliteOutboxStore } from '@tidings/sqlite';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ShopStory, sendEmail, storyCatalog, writeShopStory } from './fixtures/shop-story.ts';
import { type Inspector, startInspector } from './server/start-inspector.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('the inspector page in Chromium, over a SQLite store', () => {
  let dir: string;
  let store: SqliteOutboxStore;
  let story: ShopStory;
  let inspector: Inspector;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidings-inspector-'));
    store = createSqliteOutboxStore({ filename: join(dir, 'shop.db') });
    story = await writeShopStory(store);
    inspector = await startInspector({
      store,
      allowRedrive: true,
      catalog: storyCatalog,
      storeLabel: 'shop.db',
    });
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1280, height: 900 },
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  });

  afterAll(async () => {
    await browser?.close();
    await inspector?.close();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses the API without the token', async () => {
    const base = new URL(inspector.url);
    const denied = await fetch(new URL('/api/events', base));
    expect(denied.status).toBe(401);
    const allowed = await fetch(new URL(`/api/events?token=${inspector.token}`, base));
    expect(allowed.status).toBe(200);
  });

  it('walks from the timeline to an event and follows its causation graph', async () => {
    await page.goto(inspector.url);
    await page.waitForSelector('table.events tbody tr');
    expect(await page.locator('table.events tbody tr').count()).toBe(4);
    await page.screenshot({ path: '/tmp/tidings-inspector-timeline.png', fullPage: true });

    await page.click(`tr[data-event-id="${story.placed.id}"] a.type`);
    await page.waitForSelector('[data-testid="causation-graph"] .graph-node');
    const nodes = async () =>
      page.$$eval('.graph-node', (els) =>
        els.map((el) => [
          el.getAttribute('data-type'),
          el.classList.contains('focus') ? 'focus' : el.classList.contains('cause') ? 'cause' : 'caused',
        ]),
      );
    expect(await nodes()).toEqual([
      ['shop.OrderPlaced', 'focus'],
      ['shop.EmailSent', 'caused'],
      ['shop.ReceiptFiled', 'caused'],
    ]);
    expect(await page.locator('.edge').count()).toBe(2);
    expect(await page.textContent('table.deliveries')).toContain(sendEmail);
    await page.screenshot({ path: '/tmp/tidings-inspector-event.png', fullPage: true });

    await page.click(`.graph-node[data-id="${story.emailed.id}"]`);
    await page.waitForSelector(`.graph-node.focus[data-id="${story.emailed.id}"]`);
    expect(await nodes()).toEqual([
      ['shop.OrderPlaced', 'cause'],
      ['shop.EmailSent', 'focus'],
      ['shop.ReceiptFiled', 'caused'],
    ]);
  });

  it('shows the outbox with its handlers and charts', async () => {
    await page.goto(`${inspector.url}#/outbox`);
    await page.waitForSelector('table.handlers tbody tr');
    expect(await page.locator('table.handlers tbody tr').count()).toBe(2);
    expect(await page.locator('svg.chart').count()).toBe(2);
    await page.screenshot({ path: '/tmp/tidings-inspector-outbox.png', fullPage: true });
  });

  it('redrives a dead letter with one click and it leaves the list', async () => {
    await page.goto(`${inspector.url}#/dead-letters`);
    const row = `table.dead-letters tr[data-event-id="${story.bounced.id}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toContain('does not exist (550 5.1.1)');
    await page.screenshot({ path: '/tmp/tidings-inspector-dead-letters.png', fullPage: true });

    await page.click(`${row} button.redrive`);
    await page.waitForSelector(row, { state: 'detached' });
    expect(await page.textContent('.notice')).toContain('Redrove 1 delivery');
    expect(await store.deadLetters()).toEqual([]);
    expect((await store.stats()).find((s) => s.consumer === sendEmail)?.pending).toBe(1);
  });

  it('keeps redrive disabled when the inspector is read-only', async () => {
    const failed = await store.claim({ consumers: [sendEmail], limit: 1, leaseMs: 60_000, owner: 'ui-test' });
    const [delivery] = failed;
    if (!delivery) throw new Error('expected the redriven delivery to be claimable');
    await store.settle([
      {
        eventId: delivery.event.id,
        consumer: sendEmail,
        owner: 'ui-test',
        outcome: 'dead',
        error: 'still bouncing',
      },
    ]);
    const readOnly = await startInspector({ store });
    try {
      await page.goto(`${readOnly.url}#/dead-letters`);
      await page.waitForSelector('table.dead-letters tbody tr');
      expect(await page.locator('button.redrive').first().isDisabled()).toBe(true);
      expect(await page.textContent('#mode')).toBe('read-only');
    } finally {
      await readOnly.close();
    }
  });
});
