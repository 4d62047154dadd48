/**
 * The pack test (`npm run test:pack`): installs Tidings as a user does and uses it from
 * outside the repository. It builds, packs every public package, installs only the tarballs
 * and registry packages into a fresh project in the OS temp folder, then (1) runs the
 * README's first sample compiled to plain `.mjs` with plain `node`, (2) type-checks a strict
 * consumer against the shipped `.d.ts` only, (3) runs `npx tidings --help` and
 * `npx tidings events` on a shop database the installed packages wrote, and fetches the
 * installed inspector's page. Exits non-zero on any failure, so `npm test` fails with it.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { firstTsBlock } from '../readme/code-blocks.ts';
import { checkBuildCovers } from './build-coverage.ts';
import { checkCli, checkInspectorPage, checkSample, checkTypes, consumerTsconfig } from './checks.ts';
import {
  checkInstalledPackages,
  everyEntry,
  installProject,
  packTarballs,
  publicPackages,
} from './consumer-project.ts';
import { run } from './run.ts';

const root = new URL('../../', import.meta.url);
const tsc = new URL('node_modules/typescript/bin/tsc', root).pathname;

async function step(title: string, work: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await work();
  console.log(`  ok  ${title} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

async function main(): Promise<void> {
  const temp = await mkdtemp(join(tmpdir(), 'tidings-pack-'));
  const app = join(temp, 'app');
  const started = performance.now();
  console.log(`pack test in ${temp}`);
  try {
    const folders = await publicPackages();
    await step('npm run build', async () => {
      await checkBuildCovers(folders);
      await run('npm', ['run', '--silent', 'build'], { cwd: root.pathname });
    });
    let tarballs: string[] = [];
    await step(`npm pack ${folders.length} packages`, async () => {
      tarballs = await packTarballs(folders, join(temp, 'tarballs'));
      if (tarballs.length !== folders.length)
        throw new Error(`Packed ${tarballs.length} of ${folders.length} packages.`);
    });
    await step('npm install the tarballs into a fresh project', async () => {
      await installProject(app, tarballs, folders);
      await checkInstalledPackages(app);
    });
    await writeFile(join(app, 'sample.mts'), firstTsBlock(new URL('README.md', root)));
    for (const file of ['consumer.ts', 'shop-db.mts', 'inspector-page.mts']) {
      await copyFile(new URL(`consumer/${file}`, import.meta.url), join(app, file));
    }
    await writeFile(join(app, 'tsconfig.json'), `${JSON.stringify(consumerTsconfig, null, 2)}\n`);
    await writeFile(join(app, 'entries.ts'), await everyEntry(app));
    await step('strict type-check against the shipped .d.ts only', () => checkTypes(app, tsc));
    await step('README sample as plain .mjs with plain node', () => checkSample(app));
    await step('npx tidings --help and tidings events on a shop database', () => checkCli(app));
    await step('the installed inspector serves its page from dist', () => checkInspectorPage(app));
    console.log(`pack test: all checks passed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    // TIDINGS_PACK_KEEP=1 keeps the project to look into after a failure.
    if (process.env.TIDINGS_PACK_KEEP === '1') console.log(`kept ${temp}`);
    else await rm(temp, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`pack test FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
