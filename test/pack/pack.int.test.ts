/**
 * The pack test: installs Tidings as a user does and uses it from outside the repository.
 * It packs every public package (built by the tier's global setup), installs only the tarballs and registry packages
 * into a fresh project in the OS temp folder, then (1) runs the README's first sample
 * compiled to plain `.mjs` with plain `node`, (2) type-checks a strict consumer against the
 * shipped `.d.ts` only, (3) runs `npx tidings --help` and `npx tidings events` on a shop
 * database the installed packages wrote, and fetches the installed inspector's page. Each
 * step is a test, so a failure counts in the closing line like any other; a step after a
 * failed one is skipped. `npm run test:pack` runs this file alone.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { firstTsBlock } from '../readme/code-blocks.ts';
import { checkBuildCovers } from './build-coverage.ts';
import { checkCli, checkInspectorPage, checkSample, checkTypes, consumerTsconfig } from './checks.ts';
import { installProject, packTarballs, publicPackages } from './consumer-project.ts';
import { checkInstalledPackages, everyEntry } from './installed-packages.ts';

const root = new URL('../../', import.meta.url);
const tsc = new URL('node_modules/typescript/bin/tsc', root).pathname;
// npm installs and a strict type-check of every entry: minutes on a loaded 2-core machine.
const slow = 300_000;

let temp = '';
let app = '';
let folders: string[] = [];
let tarballs: string[] = [];
let failed = false;

/** A step of the pack test: skipped once an earlier step failed, since it builds on it. */
function step(title: string, work: () => Promise<unknown>): void {
  it(
    title,
    async (context) => {
      if (failed) context.skip('an earlier pack step failed');
      try {
        await work();
      } catch (error) {
        failed = true;
        throw error;
      }
    },
    slow,
  );
}

beforeAll(async () => {
  temp = await mkdtemp(join(tmpdir(), 'tidings-pack-'));
  app = join(temp, 'app');
});

afterAll(async () => {
  // TIDINGS_PACK_KEEP=1 keeps the project to look into after a failure.
  if (process.env.TIDINGS_PACK_KEEP === '1') console.log(`kept ${temp}`);
  else if (temp) await rm(temp, { recursive: true, force: true });
});

describe.sequential('the packed packages, installed outside the repository', () => {
  // The integration tier's global setup (test/build-once.ts) has built every package.
  step('the build covers every public package', async () => {
    folders = await publicPackages();
    await checkBuildCovers(folders);
  });
  step('npm pack every public package', async () => {
    tarballs = await packTarballs(folders, join(temp, 'tarballs'));
    if (tarballs.length !== folders.length)
      throw new Error(`Packed ${tarballs.length} of ${folders.length} packages.`);
  });
  step('npm install only the tarballs into a fresh project', async () => {
    await installProject(app, tarballs, folders);
    await checkInstalledPackages(app);
    await writeFile(join(app, 'sample.mts'), firstTsBlock(new URL('README.md', root)));
    for (const file of ['consumer.ts', 'shop-db.mts', 'inspector-page.mts']) {
      await copyFile(new URL(`consumer/${file}`, import.meta.url), join(app, file));
    }
    await writeFile(join(app, 'tsconfig.json'), `${JSON.stringify(consumerTsconfig, null, 2)}\n`);
    await writeFile(join(app, 'entries.ts'), await everyEntry(app));
  });
  step('type-checks strictly against the shipped .d.ts only', () => checkTypes(app, tsc));
  step('runs the README sample as plain .mjs with plain node', () => checkSample(app));
  step('runs npx tidings --help and tidings events on a shop database', () => checkCli(app));
  step('serves the installed inspector page from dist', () => checkInspectorPage(app));
});
