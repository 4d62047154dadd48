#!/usr/bin/env node
// The `tidings` command: plain JavaScript that runs the compiled CLI in ../dist. In a checkout
// of the repository, `npm run build` makes dist; without it this says so instead of a stack trace.
import { access } from 'node:fs/promises';

const entry = new URL('../dist/cli/main.js', import.meta.url);
try {
  await access(entry);
} catch {
  process.stderr.write(
    'tidings: the CLI is not built (no dist/cli/main.js). In the repository, run `npm run build` first.\n',
  );
  process.exit(2);
}
await import(entry.href);
