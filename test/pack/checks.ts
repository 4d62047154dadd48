/**
 * The pack test's checks on the installed project: types against the shipped declarations,
 * the README sample with plain node, and the `tidings` command.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './run.ts';

/** The strictest flags a user may set; skipLibCheck off so every shipped `.d.ts` is checked. */
export const consumerTsconfig = {
  compilerOptions: {
    target: 'ES2023',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    noPropertyAccessFromIndexSignature: true,
    noImplicitOverride: true,
    noImplicitReturns: true,
    verbatimModuleSyntax: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
  },
  include: ['*.ts', '*.mts'],
};

function expectEqual(actual: string, expected: string, what: string): void {
  if (actual !== expected) throw new Error(`${what}: expected\n${expected}\ngot\n${actual}`);
}

/**
 * Throws on type errors in our declarations or the consumer's code. Errors inside third-party
 * declarations (a driver's `.d.ts` that fails exactOptionalPropertyTypes) are not ours to
 * fix: they are reported, and users who hit them set skipLibCheck.
 */
function reportTypeErrors(output: string): void {
  const errors = output.split('\n').filter((line) => /^\S+\(\d+,\d+\): error /.test(line));
  const ours = errors.filter(
    (line) => !line.startsWith('node_modules/') || line.startsWith('node_modules/@tidings/'),
  );
  if (errors.length === 0 || ours.length > 0)
    throw new Error(`tsc found errors:\n${ours.join('\n') || output}`);
  const owners = new Set(errors.map((line) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(line)?.[1]));
  console.log(
    `      (${errors.length} errors inside third-party declarations left aside: ${[...owners].join(', ')})`,
  );
}

export async function checkTypes(app: string, tsc: string): Promise<void> {
  const compiled = await run(process.execPath, [tsc, '-p', '.'], { cwd: app, allowFailure: true });
  if (compiled.code !== 0) reportTypeErrors(compiled.stdout + compiled.stderr);
  const { stdout } = await run(process.execPath, [tsc, '-p', '.', '--listFilesOnly'], { cwd: app });
  // The check is only worth something if our packages were seen as declarations, not sources.
  const sources = stdout
    .split('\n')
    .filter((file) => /node_modules\/@tidings\/.*\.ts$/.test(file) && !file.endsWith('.d.ts'));
  if (sources.length > 0)
    throw new Error(`TypeScript compiled shipped sources instead of .d.ts: ${sources.join(', ')}`);
  if (!stdout.includes('node_modules/@tidings/core/dist/index.d.ts')) {
    throw new Error('The type-check did not read @tidings/core/dist/index.d.ts.');
  }
  const emitted = await readdir(join(app, 'out'));
  if (!emitted.includes('sample.mjs'))
    throw new Error(`tsc emitted no sample.mjs (got ${emitted.join(', ')}).`);
}

export async function checkSample(app: string): Promise<void> {
  const { stdout } = await run(process.execPath, ['out/sample.mjs'], { cwd: app });
  expectEqual(stdout, "placed o-1\ne-mails sent to [ 'grace@example.com' ]\n", 'README sample output');
}

export async function checkCli(app: string): Promise<void> {
  const help = await run('npx', ['--no', '--', 'tidings', '--help'], { cwd: app });
  if (!help.stdout.includes('Usage: tidings')) throw new Error(`tidings --help printed:\n${help.stdout}`);
  const written = await run(process.execPath, ['out/shop-db.mjs', 'shop.db'], { cwd: app });
  const ids = JSON.parse(written.stdout) as string[];
  if (ids.length !== 2)
    throw new Error(`shop-db.mjs wrote ${ids.length} events, expected the order and its e-mail.`);
  const events = await run('npx', ['--no', '--', 'tidings', 'events', '--db', 'shop.db', '--json'], {
    cwd: app,
  });
  const listed = events.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { event: { id: string } }).event.id);
  expectEqual(JSON.stringify(listed), JSON.stringify(ids), 'tidings events --db shop.db');
}

export async function checkInspectorPage(app: string): Promise<void> {
  const { stdout } = await run(process.execPath, ['out/inspector-page.mjs', 'shop.db'], { cwd: app });
  const expected = [
    '/ 200 text/html; charset=utf-8',
    '/app.js 200 text/javascript; charset=utf-8',
    '/style.css 200 text/css; charset=utf-8',
  ];
  expectEqual(stdout, `${expected.join('\n')}\n`, 'inspector page from the installed package');
}
