/**
 * Builds a user's project from the packed tarballs: `npm pack` every public package, then
 * `npm install` only those tarballs and registry packages into a fresh folder outside the
 * workspace (no workspace links, no tsx).
 */
import { copyFile, lstat, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.ts';

const root = new URL('../../', import.meta.url);

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
}

async function readJson(path: string | URL): Promise<PackageJson> {
  return JSON.parse(await readFile(path, 'utf8')) as PackageJson;
}

/** The folders of the packages users install (every non-private one under packages/). */
export async function publicPackages(): Promise<string[]> {
  const folders = await readdir(new URL('packages/', root));
  const found: string[] = [];
  for (const folder of folders.sort()) {
    const manifest = await readJson(new URL(`packages/${folder}/package.json`, root)).catch(() => undefined);
    if (manifest && !manifest.private) found.push(`packages/${folder}`);
  }
  return found;
}

/** The version installed in the workspace, so the project gets the same one from the cache. */
async function workspaceVersion(name: string): Promise<string> {
  return `${name}@${(await readJson(new URL(`node_modules/${name}/package.json`, root))).version}`;
}

/** Registry packages a TypeScript user of these packages adds: the sample's zod, driver types. */
const registryPackages = [
  'zod',
  'better-sqlite3',
  '@types/node',
  '@types/better-sqlite3',
  '@types/pg',
  '@types/amqplib',
];

export async function packTarballs(folders: readonly string[], into: string): Promise<string[]> {
  await mkdir(into, { recursive: true });
  const workspaces = folders.flatMap((folder) => ['-w', folder]);
  await run('npm', ['pack', '--silent', '--pack-destination', into, ...workspaces], { cwd: root.pathname });
  return (await readdir(into)).filter((file) => file.endsWith('.tgz')).map((file) => join(into, file));
}

export async function installProject(dir: string, tarballs: readonly string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'tidings-pack-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  const registry = await Promise.all(registryPackages.map(workspaceVersion));
  // Install scripts are skipped: the only one needed is better-sqlite3's, which would spend
  // minutes compiling the addon (no prebuilt binary can be downloaded here); see below.
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  await run('npm', ['install', ...flags, ...tarballs, ...registry], { cwd: dir });
  await reuseSqliteAddon(dir);
}

/**
 * better-sqlite3's compiled addon, copied from the workspace's identical version (the same
 * Node ABI): everything else in the project comes from the tarballs and the registry.
 */
async function reuseSqliteAddon(dir: string): Promise<void> {
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  await mkdir(join(dir, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
  await copyFile(new URL(addon, root), join(dir, addon));
}

/** Fails when a @tidings package is a link (to the workspace) or tsx slipped in. */
export async function assertNoWorkspaceLinks(dir: string): Promise<void> {
  const scope = join(dir, 'node_modules/@tidings');
  for (const name of await readdir(scope)) {
    if ((await lstat(join(scope, name))).isSymbolicLink()) {
      throw new Error(`${scope}/${name} is a symbolic link: the project must install the packed tarball.`);
    }
  }
  const tsx = await lstat(join(dir, 'node_modules/tsx')).catch(() => undefined);
  if (tsx) throw new Error('tsx was installed into the project: no shipped package may need it at run time.');
}
