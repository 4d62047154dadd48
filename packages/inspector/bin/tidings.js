#!/usr/bin/env node
// The `tidings` command. The CLI is TypeScript used straight from the workspace, so this
// launcher runs it in a child Node with tsx and the `@tidings/source` export condition
// (workspace packages then resolve to their .ts sources), and passes its exit code on.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
// Resolved from here, not from the user's directory, so `tidings` works anywhere.
const tsx = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  ['--conditions=@tidings/source', '--import', tsx, entry, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
// Ctrl-C in a terminal reaches both processes; a signal sent to the launcher alone (a
// supervisor, `kill -INT`) is passed on, else the CLI would never hear it. The CLI takes a
// repeated signal as the same request to stop.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal === null ? 1 : 130);
});
