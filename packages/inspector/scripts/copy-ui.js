// Copies the web page (src/ui: HTML, CSS and browser JavaScript, which need no compiling) into
// dist/ui, where the built server looks for it beside dist/server. Run by `npm run build`.
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const from = fileURLToPath(new URL('../src/ui/', import.meta.url));
const to = fileURLToPath(new URL('../dist/ui/', import.meta.url));
// A file removed from src/ui must not linger in dist/ui and ship.
await rm(to, { recursive: true, force: true });
await cp(from, to, { recursive: true });
