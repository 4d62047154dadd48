/**
 * Opens the store a command's flags name (`--db`, else `TIDINGS_DB`, else `DATABASE_URL`),
 * runs the command against it, and closes it whatever happens.
 */
import type { OutboxStore } from '@tidings/core';
import { type OpenedStore, openStore, parseStoreLocation } from '../store/open-store.ts';
import type { Flags } from './args.ts';
import type { CliIo, Terminal } from './terminal.ts';

export async function withStore<T>(
  flags: Flags,
  io: CliIo,
  terminal: Terminal,
  work: (store: OutboxStore, opened: OpenedStore) => Promise<T>,
): Promise<T> {
  const location = parseStoreLocation(flags.db ?? io.env.TIDINGS_DB ?? io.env.DATABASE_URL, { cwd: io.cwd });
  const opened = await terminal.spin(`Opening ${location.display}`, () =>
    openStore(location, {
      ...(flags.schema === undefined ? {} : { schema: flags.schema }),
      ...(flags['table-prefix'] === undefined ? {} : { tablePrefix: flags['table-prefix'] }),
    }),
  );
  try {
    return await work(opened.store, opened);
  } finally {
    await opened.store.close();
  }
}
