/**
 * Starts the installed inspector on a database and fetches its page and a script of it, so
 * the pack test knows the UI assets ship in dist and are found there. Prints the statuses.
 */
import { startInspector } from '@tidings/inspector';
import { createSqliteOutboxStore } from '@tidings/sqlite';

const [filename] = process.argv.slice(2);
if (filename === undefined) throw new Error('Usage: node inspector-page.mjs <database file>');

const store = createSqliteOutboxStore({ filename });
const inspector = await startInspector({ store });
try {
  const statuses: string[] = [];
  for (const path of ['/', '/app.js', '/style.css']) {
    const response = await fetch(new URL(path, inspector.url));
    statuses.push(`${path} ${response.status} ${response.headers.get('content-type')}`);
  }
  console.log(statuses.join('\n'));
} finally {
  await inspector.close();
  await store.close();
}
