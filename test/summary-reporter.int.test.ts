import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';

// Test files that break in every way a file can break outside its tests, next to ones that
// pass. `--globals` lets them use it/beforeAll without importing vitest from a temp folder.
const fixtures: Record<string, string> = {
  'throws-at-import.test.js': "throw new Error('broken at import');\n",
  'syntax-error.test.js': "it('never runs', () => {\n",
  'before-all.test.js':
    "beforeAll(() => { throw new Error('beforeAll broke'); });\nit('is skipped by the failed hook', () => {});\n",
  'after-all.test.js':
    "afterAll(() => { throw new Error('afterAll broke'); });\nit('passes first', () => {});\nit('passes second', () => {});\n",
  'in-a-suite.test.js':
    "describe('a suite', () => {\n  afterAll(() => { throw new Error('suite afterAll broke'); });\n  it('passes', () => {});\n});\n",
  'unhandled.test.js':
    "it('leaves a rejection behind', async () => {\n  Promise.reject(new Error('nobody caught this'));\n  await new Promise((resolve) => setImmediate(resolve));\n});\n",
  'passing.test.js': "it('passes', () => {});\n",
};

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const reporter = fileURLToPath(new URL('./summary-reporter.ts', import.meta.url));
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidings-summary-'));
  for (const [name, source] of Object.entries(fixtures)) await writeFile(join(dir, name), source);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('counts files that fail to load, failing hooks and unhandled errors as failed', async () => {
  // The child is a vitest run of its own: none of this run's worker variables may leak into it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [vitest, 'run', '--root', dir, '--globals', '--reporter', reporter],
      { env: { ...env, NO_COLOR: '1' }, timeout: 50_000 },
      (_error, out) => resolve({ code: child.exitCode, stdout: out }),
    );
  });
  const closing = stdout.trim().split('\n').at(-1);
  // Passed: after-all's two, in-a-suite's one, unhandled's one, passing's one. Failed: the two
  // files that never load, the failed beforeAll, both afterAlls, the unhandled rejection.
  expect(closing).toBe('tests: 5 passed, 6 failed, 1 skipped');
  expect(code).toBe(1);
});
