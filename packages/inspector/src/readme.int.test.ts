/** The README's programmatic example, run as written, and checked to match the README. */
import { readFileSync } from 'node:fs';
import { createMemoryOutboxStore } from '@tidings/core';
import { expect, it } from 'vitest';
import { storyCatalog as catalog, writeShopStory } from './fixtures/shop-story.ts';
import { startInspector } from './index.ts';

it('runs the README example', async () => {
  const store = createMemoryOutboxStore();
  await writeShopStory(store);
  const logged: string[] = [];
  const console = { log: (line: string) => logged.push(line) };

  // --- README example start
  const inspector = await startInspector({ store, port: 0, allowRedrive: true, catalog });
  console.log(`Inspector at ${inspector.url}`); // http://127.0.0.1:PORT/?token=…
  // … later
  await inspector.close();
  // --- README example end

  expect(logged[0]).toMatch(/^Inspector at http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{24}$/);
  const source = readFileSync(new URL(import.meta.url), 'utf8');
  const example = /\/\/ --- README example start\n([\s\S]*?)\n\s*\/\/ --- README example end/.exec(
    source,
  )?.[1];
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const dedented = example?.replace(/^ {2}/gm, '');
  expect(readme).toContain(dedented);
});
