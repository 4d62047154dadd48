/**
 * `tidings asyncapi --catalog ./events.ts [--binding kafka]`: prints the catalog's AsyncAPI
 * 3.0 document as JSON (core's `toAsyncApi`), titled after the catalog module, with the
 * CloudEvents attributes as the chosen broker binding carries them (default http).
 */
import { basename, extname } from 'node:path';
import { type AsyncApiBinding, ConfigurationError, toAsyncApi } from '@tidings/core';
import type { Flags } from '../args.ts';
import { loadCatalog } from '../load-catalog.ts';
import type { CliIo, Terminal } from '../terminal.ts';

export async function asyncApiCommand(flags: Flags, io: CliIo, terminal: Terminal) {
  if (!flags.catalog) {
    throw new ConfigurationError('tidings asyncapi needs --catalog <file> (a module exporting "catalog").');
  }
  const catalog = await loadCatalog(flags.catalog, io.cwd);
  const title = `Tidings catalog ${basename(flags.catalog, extname(flags.catalog))}`;
  const binding = (flags.binding ?? 'http') as AsyncApiBinding;
  // toAsyncApi refuses an unknown binding with the list of known ones.
  const document = toAsyncApi(catalog, { title, version: '1.0.0', send: '*', binding });
  terminal.out(JSON.stringify(document, null, 2));
}
