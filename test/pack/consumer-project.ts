/**
 * Builds a user's project from the packed tarballs: `npm pack` every public package, then
 * `npm install` only those tarballs and registry packages into a fresh folder outside the
 * workspace (no workspace links, no tsx).
 */
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.ts';

const root = new URL('../../', import.meta.url);

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly peerDependenciesMeta?: Readonly<Record<string, { readonly optional?: boolean }>>;
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

/** Optional peers (npm does not install them), so entries that need one are checked too. */
async function optionalPeers(folders: readonly string[]): Promise<string[]> {
  const names = new Set<string>();
  for (const folder of folders) {
    const { peerDependenciesMeta = {} } = await readJson(new URL(`${folder}/package.json`, root));
    for (const [name, meta] of Object.entries(peerDependenciesMeta)) if (meta.optional) names.add(name);
  }
  return [...names];
}

export async function installProject(
  dir: string,
  tarballs: readonly string[],
  folders: readonly string[],
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'tidings-pack-consumer', private: true, type: 'module' }, null, 2)}\n`,
  );
  const wanted = new Set([...registryPackages, ...(await optionalPeers(folders))]);
  const registry = await Promise.all([...wanted].map(workspaceVersion));
  // Install scripts are skipped: the only one needed is better-sqlite3's, which would spend
  // minutes compiling the addon (no prebuilt binary can be downloaded here); see below.
  const flags = ['--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];
  await run('npm', ['install', ...flags, ...tarballs, ...registry], { cwd: dir });
  await reuseSqliteAddon(dir);
}

/**
 * better-sqlite3's compiled addon, copied from the workspace's identical version: everything
 * else in the project comes from the tarballs and the registry. When the copy does not load
 * (the workspace's addon was built for another Node ABI), it is compiled like npm would.
 */
async function reuseSqliteAddon(dir: string): Promise<void> {
  const addon = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  await mkdir(join(dir, 'node_modules/better-sqlite3/build/Release'), { recursive: true });
  await copyFile(new URL(addon, root), join(dir, addon)).catch(() => undefined);
  const probe = "require('better-sqlite3')(':memory:').close()";
  const loads = await run(process.execPath, ['-e', probe], { cwd: dir, allowFailure: true });
  if (loads.code === 0) return;
  console.log(
    `      (the workspace's better-sqlite3 addon does not load on Node ${process.version}: compiling it)`,
  );
  await run('npm', ['rebuild', 'better-sqlite3', '--foreground-scripts'], { cwd: dir });
}
