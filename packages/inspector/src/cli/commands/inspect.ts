/** `tidings inspect`: serves the web inspector until Ctrl-C. */
import type { OutboxStore } from '@tidings/core';
import { ConfigurationError } from '@tidings/core';
import { startInspector } from '../../server/start-inspector.ts';
import type { StoreLocation } from '../../store/open-store.ts';
import type { Flags } from '../args.ts';
import { loadCatalog } from '../load-catalog.ts';
import type { CliIo, Terminal } from '../terminal.ts';

const loopback = new Set(['127.0.0.1', 'localhost', '::1']);

export async function inspectCommand(
  store: OutboxStore,
  location: StoreLocation,
  flags: Flags,
  io: CliIo,
  terminal: Terminal,
) {
  const port = flags.port === undefined ? 0 : parsePort(flags.port);
  const host = flags.host ?? '127.0.0.1';
  const catalog = flags.catalog ? await loadCatalog(flags.catalog, io.cwd) : undefined;
  const inspector = await startInspector({
    store,
    port,
    host,
    allowRedrive: flags['allow-redrive'] ?? false,
    storeLabel: location.display,
    ...(catalog ? { catalog } : {}),
  });
  terminal.out(`${terminal.paint('bold', 'Tidings inspector')} for ${location.display}`);
  terminal.out(`  ${terminal.paint(['underline', 'cyan'], inspector.url)}`);
  terminal.out(
    terminal.paint(
      'dim',
      `  ${flags['allow-redrive'] ? 'redrive allowed' : 'read-only (--allow-redrive to redrive dead letters)'} · Ctrl-C to stop`,
    ),
  );
  if (!loopback.has(host)) {
    terminal.out(
      terminal.paint(
        'yellow',
        `  Listening on ${host}: anyone who can reach it and has the token can read the audit log.`,
      ),
    );
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await inspector.close();
}

function parsePort(value: string): number {
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (port >= 0 && port <= 65535) return port;
  throw new ConfigurationError(
    `--port ${JSON.stringify(value)} must be a whole number from 0 to 65535 (0: any free port).`,
  );
}
