/**
 * Global setup of the integration tier: builds every package to `dist` once, before any test
 * file runs. The CLI tests run the bin, which runs `dist`, and the pack test packs `dist`;
 * building in those files instead ran `tsc -b` in parallel workers over the same output
 * while other files read it. After `npm test`'s own build this is an up-to-date check.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export default async function buildOnce(): Promise<void> {
  const root = new URL('../', import.meta.url).pathname;
  await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: root });
}
