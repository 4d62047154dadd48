import { readFileSync } from 'node:fs';
import { expect, it, vi } from 'vitest';
import { firstTsBlock } from './code-blocks.ts';

it('the README shows exactly the sample this test compiles and runs', async () => {
  const sample = readFileSync(new URL('./sample.ts', import.meta.url), 'utf8');
  expect(firstTsBlock(new URL('../../README.md', import.meta.url))).toBe(sample);

  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await import('./sample.ts');
  expect(log.mock.calls).toEqual([
    ['placed', 'o-1'],
    ['e-mails sent to', ['grace@example.com']],
  ]);
  log.mockRestore();
});
