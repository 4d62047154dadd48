/**
 * The inspector page in Debian's Chromium (headless, through playwright-core) over a
 * SQLite store holding the shop story. Each test asserts what the page shows, and every
 * page is photographed at 1280 and 420 px wide into `.artifacts/inspector/` for review;
 * at 420 px each page is also checked to be usable (header on screen, no sideways page).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createDeadLetterRedriver,
  createMemoryOutboxStore,
  defineEvent,
  receivedDeadLetterIdOf,
  type TransportMessage,
} from '@tidings/core';
import { redriveGroupHeader } from '@tidings/core/spi';
import { createSqliteOutboxStore, type SqliteOutboxStore } from '@tidings/sqlite';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatTime } from './cli/terminal.ts';
import { receivedDeadLetter } from './fixtures/received-dead-letter.ts';
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
const artifacts = fileURLToPath(new URL('../../../.artifacts/inspector/', import.meta.url));
const wide = { width: 1280, height: 900 };
const narrow = { width: 420, height: 860 };

// Follow-ups with long names, so the graph must fit labels to their boxes.
const ConfirmationSent = defineEvent('shop.OrderConfirmationSent', { schema: z.object({}) });
const Reminder = defineEvent('shop.billing.InvoiceReminderScheduledForOverduePaymentAfterGracePeriod', {
  schema: z.object({}),
});
const printInvoice = 'print-invoice';

// The browser's globals, typed just enough for the checks run in the page (the project
// compiles without the DOM library).
interface Box {
  readonly x: number;
  readonly width: number;
  readonly left: number;
  readonly right: number;
}
interface PageElement {
  readonly parentElement: PageElement | null;
  readonly classList: { contains(name: string): boolean };
  readonly textContent: string | null;
  getBoundingClientRect(): Box;
  getBBox(): Box;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
  getAttribute(name: string): string | null;
}
declare const document: {
  readonly documentElement: PageElement & { readonly scrollWidth: number };
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): Iterable<PageElement>;
};
declare function getComputedStyle(element: PageElement): { readonly color: string };

/** What at 420 px would make the page unusable: a header off screen, the page scrolling sideways. */
async function narrowProblems(page: Page): Promise<string[]> {
  return page.evaluate((width) => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > width) problems.push(`the page is ${root.scrollWidth}px wide`);
    for (const selector of ['.brand', '[data-nav="timeline"]', '[data-nav="dead-letters"]', '#mode']) {
      const box = document.querySelector(selector)?.getBoundingClientRect();
      if (!box || box.width === 0) problems.push(`${selector} is not shown`);
      else if (box.left < 0 || box.right > width)
        problems.push(`${selector} is cut off (${box.left}–${box.right})`);
    }
    for (const table of document.querySelectorAll('table')) {
      if (!table.parentElement?.classList.contains('table-scroll')) problems.push('a table cannot scroll');
    }
    return problems;
  }, narrow.width);
}

/** Photographs the page at both widths (checking the narrow one), and goes back to wide. */
async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(artifacts, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(narrow);
  try {
    expect(await narrowProblems(page), `${name} at 420 px`).toEqual([]);
    await page.screenshot({ path: join(artifacts, `${name}-420.png`), fullPage: true });
  } finally {
    await page.setViewportSize(wide);
  }
}

/** The charts' x labels, captions, axis line and backlog line points, as drawn. */
function chartsShown(page: Page) {
  return page.$$eval('svg.chart', (svgs) =>
    svgs.map((svg) => ({
      xLabels: [...svg.querySelectorAll('.tick.x')].map((t) => t.textContent),
      caption: svg.querySelector('.caption')?.textContent ?? '',
      axisY: Number(svg.querySelector('.axis')?.getAttribute('y1')),
      lineYs: (svg.querySelector('.line')?.getAttribute('d') ?? '')
        .split(/[ML]/)
        .filter(Boolean)
        .map((point: string) => Number(point.split(',')[1])),
    })),
  );
}

describe('the inspector page in Chromium, over a SQLite store', () => {
  let dir: string;
  let store: SqliteOutboxStore;
  let story: ShopStory;
  let inspector: Inspector;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    await mkdir(artifacts, { recursive: true });
    dir = await mkdtemp(join(tmpdir(), 'tidings-inspector-'));
    store = createSqliteOutboxStore({ filename: join(dir, 'shop.db') });
    story = await writeShopStory(store);
    const confirmed = ConfirmationSent.create({}, { causedBy: story.filed });
    const reminded = Reminder.create({}, { causedBy: story.filed });
    await store.transaction((tx) =>
      store.append(tx, [
        { event: confirmed, consumers: [] },
        { event: reminded, consumers: [printInvoice] },
      ]),
    );
    // The printer is jammed: a failure that will be retried, not a dead letter.
    const [jammed] = await store.claim({ consumers: [printInvoice], limit: 1, leaseMs: 60_000, owner: 'ui' });
    if (!jammed) throw new Error('expected the print-invoice delivery');
    await store.settle([
      {
        eventId: jammed.event.id,
        consumer: printInvoice,
        owner: 'ui',
        outcome: 'retry',
        error: 'Printer jammed',
        retryAt: Date.now() + 3_600_000,
      },
    ]);
    inspector = await startInspector({
      store,
      allowRedrive: true,
      catalog: storyCatalog,
      storeLabel: 'shop.db',
      sampleIntervalMs: 100,
    });
    browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: wide,
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

  it('lists the timeline with times in UTC, as the CLI prints them', async () => {
    await page.goto(inspector.url);
    await page.waitForSelector('table.events tbody tr');
    expect(await page.locator('table.events tbody tr').count()).toBe(6);
    const shown = await page.textContent(`tr[data-event-id="${story.placed.id}"] td:first-child`);
    expect(shown).toBe(formatTime(story.placed.occurredAt));
    expect(shown).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC$/);
    await shoot(page, 'timeline');
  });

  it('keeps the filter form and shows the error beside it for a bad filter value', async () => {
    await page.goto(`${inspector.url}#/?since=yesterday`);
    const error = page.locator('form.filters .filter-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/since.*yesterday/);
    expect(await page.inputValue('form.filters input[name="since"]')).toBe('yesterday');
    expect(await page.getAttribute('form.filters input[name="since"]', 'aria-invalid')).toBe('true');
    expect(await page.getAttribute('form.filters input[name="type"]', 'aria-invalid')).toBeNull();
    expect(await page.locator('table.events').count()).toBe(0);
    await shoot(page, 'timeline-bad-filter');

    await page.fill('form.filters input[name="since"]', '');
    await page.click('form.filters button[type="submit"]');
    await page.waitForSelector('table.events tbody tr');
    expect(await page.locator('form.filters .filter-error').count()).toBe(0);
  });

  it('walks from the timeline to an event and follows its causation graph', async () => {
    await page.goto(inspector.url);
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
      [ConfirmationSent.type, 'caused'],
      [Reminder.type, 'caused'],
    ]);
    expect(await page.locator('.edge').count()).toBe(4);
    expect(await page.locator('.graph-alone').count()).toBe(0);
    await shoot(page, 'event');

    await page.click(`.graph-node[data-id="${story.emailed.id}"]`);
    await page.waitForSelector(`.graph-node.focus[data-id="${story.emailed.id}"]`);
    expect((await nodes()).slice(0, 2)).toEqual([
      ['shop.OrderPlaced', 'cause'],
      ['shop.EmailSent', 'focus'],
    ]);
  });

  it('fits every graph label inside its box, cutting only what no box can hold', async () => {
    await page.goto(`${inspector.url}#/events/${encodeURIComponent(story.placed.id)}`);
    await page.waitForSelector('.graph-node');
    const labels = await page.$$eval('.graph-node', (els) =>
      els.map((el) => {
        const node = el as unknown as PageElement;
        const rect = (node.querySelector('rect') as PageElement).getBBox();
        const texts = [...node.querySelectorAll('text')].map((t) => t.getBBox());
        return {
          type: el.getAttribute('data-type') ?? '',
          shown: el.querySelector('.node-type')?.textContent ?? '',
          title: el.querySelector('title')?.textContent ?? '',
          overflow: Math.max(...texts.map((t) => t.x + t.width - (rect.x + rect.width - 8))),
        };
      }),
    );
    for (const label of labels) {
      expect(label.overflow, `${label.type} runs past its box`).toBeLessThanOrEqual(0);
      expect(label.title.split('\n')[0]).toBe(label.type);
    }
    const byType = new Map(labels.map((l) => [l.type, l.shown]));
    expect(byType.get(ConfirmationSent.type)).toBe(ConfirmationSent.type);
    expect(byType.get(Reminder.type)).toMatch(/^shop\.billing\.InvoiceReminder.*…$/);
  });

  it('says what a lone event in the graph means', async () => {
    await page.goto(`${inspector.url}#/events/${encodeURIComponent(story.bounced.id)}`);
    await page.waitForSelector('.graph-node');
    expect(await page.locator('.graph-node').count()).toBe(1);
    expect(await page.textContent('.graph-alone')).toContain(
      'It is the first event of its story, and no handler has published an event because of it yet.',
    );
    await shoot(page, 'event-alone');
  });

  it('keeps the past failures of a delivery that succeeded in its history, not as its error', async () => {
    await page.goto(`${inspector.url}#/events/${encodeURIComponent(story.placed.id)}`);
    const row = page.locator(`table.deliveries tr[data-consumer="${sendEmail}"]`);
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('done');
    expect(await row.locator('.error-text').count()).toBe(0);
    expect(await row.locator('td.last-error > span').textContent()).toBe('— (done after 1 failed)');
    expect(await row.locator('details.history summary').textContent()).toBe('1 failed attempt');
    expect(await row.locator('details.history li').textContent()).toContain(story.busyError);
  });

  it('shows the outbox: retried failures counted beside dead ones, one label per x position, times in UTC', async () => {
    await page.goto(`${inspector.url}#/outbox`);
    await page.waitForSelector('table.handlers tbody tr');
    // Two backlog samples make a line; the recorder samples every 100 ms.
    await page.waitForFunction(() =>
      /L/.test(document.querySelector('svg.chart .line')?.getAttribute('d') ?? ''),
    );
    expect(await page.locator('table.handlers tbody tr').count()).toBe(3);

    // The jammed printer's delivery is pending: a lag, in the warning colour.
    expect(await page.locator('.tile', { hasText: 'Lag (oldest pending)' }).getAttribute('class')).toBe(
      'tile warn',
    );
    const failed = (consumer: string) => page.textContent(`tr[data-consumer="${consumer}"] td.failed`);
    expect(await failed(printInvoice)).toBe('1 (1 retrying · 0 dead)');
    expect(await failed(sendEmail)).toBe('1 (0 retrying · 1 dead)');
    expect(await page.textContent('table.handlers thead')).toContain('Failed (retrying · dead)');
    expect(await page.locator('.tile', { hasText: 'Retrying' }).locator('.tile-value').textContent()).toBe(
      '1',
    );

    const charts = await chartsShown(page);
    expect(charts).toHaveLength(2);
    for (const chart of charts) {
      expect(chart.xLabels.length).toBeGreaterThan(0);
      for (const label of chart.xLabels) expect(label).toMatch(/^\d\d:\d\d/);
      expect(new Set(chart.xLabels).size).toBe(chart.xLabels.length);
      expect(chart.caption).toContain('UTC');
    }
    await shoot(page, 'outbox');
  });

  it('shows no lag as a neutral dash, not a green one, and a backlog of 0 as a visible line', async () => {
    const quiet = createMemoryOutboxStore();
    await writeShopStory(quiet);
    const other = await startInspector({ store: quiet, sampleIntervalMs: 100 });
    try {
      await page.goto(`${other.url}#/outbox`);
      await page.waitForFunction(() =>
        /L/.test(document.querySelector('svg.chart .line')?.getAttribute('d') ?? ''),
      );
      // A backlog of 0 draws its line just above the axis, where it can be seen, not on it.
      const backlog = (await chartsShown(page))[1];
      expect(backlog?.lineYs.length).toBeGreaterThan(1);
      for (const y of backlog?.lineYs ?? []) expect(y).toBeLessThan(backlog?.axisY ?? 0);
      const lag = page.locator('.tile', { hasText: 'Lag (oldest pending)' });
      await lag.waitFor();
      expect(await lag.locator('.tile-value').textContent()).toBe('—');
      expect(await lag.textContent()).toContain('nothing pending');
      const colours = await page.evaluate(() => {
        const value = document.querySelector('.tile.none .tile-value');
        const ok = document.querySelector('.tile.ok .tile-value');
        return [value && getComputedStyle(value).color, ok && getComputedStyle(ok).color];
      });
      expect(colours[0]).toBeTruthy();
      expect(colours[0]).not.toBe(colours[1]);
      await shoot(page, 'outbox-idle');
    } finally {
      await other.close();
    }
  });

  it('redrives a dead letter and shows, live, that its retry failed again, with its history', async () => {
    await page.goto(`${inspector.url}#/dead-letters`);
    const row = `table.dead-letters tr[data-event-id="${story.bounced.id}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toContain('does not exist (550 5.1.1)');
    expect(await page.textContent(`${row} td:nth-child(6)`)).toMatch(/ UTC$/);
    await shoot(page, 'dead-letters');

    await page.click(`${row} button.redrive`);
    await page.waitForSelector(row, { state: 'detached' });
    expect(await page.textContent('.notice')).toContain('Redrove 1 delivery');
    const watched = page.locator(`.redriven li[data-event-id="${story.bounced.id}"]`);
    expect(await watched.locator('.outcome').textContent()).toContain('waiting for the relay');
    expect(await watched.locator('details.history li').count()).toBe(1);
    await shoot(page, 'dead-letters-redriven');

    // The relay retries it, and the mailbox still does not exist.
    const [retry] = await store.claim({ consumers: [sendEmail], limit: 1, leaseMs: 60_000, owner: 'relay' });
    expect(retry?.event.id).toBe(story.bounced.id);
    await store.settle([
      {
        eventId: story.bounced.id,
        consumer: sendEmail,
        owner: 'relay',
        outcome: 'dead',
        error: 'DoNotRetry: Mailbox still does not exist (550 5.1.1).',
      },
    ]);
    await page.waitForSelector(`.redriven li[data-status="dead"][data-event-id="${story.bounced.id}"]`);
    expect(await watched.locator('.outcome').textContent()).toBe(
      'dead failed again, back in the dead letters: DoNotRetry: Mailbox still does not exist (550 5.1.1).',
    );
    expect(await watched.locator('details.history li').count()).toBe(2);
    await page.waitForSelector(row);
    await shoot(page, 'dead-letters-failed-again');
  });

  it('lists a dead letter the consumer received, with first and last failure, and requests its redrive', async () => {
    const letter = receivedDeadLetter();
    await store.receivedDeadLetters.put(letter);
    const id = receivedDeadLetterIdOf(letter.handler, letter.messageId);
    // The page may already show the dead letters (the test before): load them afresh.
    await page.goto(`${inspector.url}#/dead-letters`);
    await page.reload();
    const row = `table.dead-letters.received tr[data-received-id="${id}"]`;
    await page.waitForSelector(row);
    const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent ?? ''));
    expect(cells.slice(0, 7)).toEqual([
      'received',
      'update-dashboardanalytics.update-dashboard',
      `shop.OrderPlaced${letter.headers['ce-id']}`,
      'Order:o-77',
      'dashboard database is read-onlyTIDINGS_DO_NOT_RETRY',
      '3',
      formatTime(letter.firstFailedAt) + formatTime(letter.lastFailedAt),
    ]);
    await shoot(page, 'dead-letters-received');

    await page.click(`${row} button.redrive`);
    await page.waitForSelector(`${row}[data-status="redrive-requested"]`);
    expect(await page.locator(`${row} button.redrive`).isDisabled()).toBe(true);
    expect(await page.textContent('.notice')).toContain('Requested the redrive of 1 received dead letter');
    expect((await store.receivedDeadLetters.get(id))?.status).toBe('redrive-requested');

    // The consumer's redrive loop republishes it to its group; then it leaves the page.
    const published: TransportMessage[] = [];
    const redriver = createDeadLetterRedriver({
      store,
      transport: { publish: async (messages) => void published.push(...messages) },
    });
    expect(await redriver.runOnce()).toBe(1);
    expect(published[0]?.headers[redriveGroupHeader]).toBe(letter.group);
    await page.reload();
    await page.waitForSelector('h1');
    await page.waitForSelector(row, { state: 'detached' });
  });

  it('keeps redrive disabled when the inspector is read-only', async () => {
    const readOnly = await startInspector({ store });
    try {
      await page.goto(`${readOnly.url}#/dead-letters`);
      await page.waitForSelector('table.dead-letters tbody tr');
      expect(await page.locator('button.redrive').first().isDisabled()).toBe(true);
      expect(await page.textContent('#mode')).toBe('read-only');
      await shoot(page, 'dead-letters-read-only');
    } finally {
      await readOnly.close();
    }
  });
});
