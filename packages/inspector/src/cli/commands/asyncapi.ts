/**
 * `tidings asyncapi --catalog ./events.ts`: prints the catalog's AsyncAPI document as
 * JSON, using core's `toAsyncApi` when this version of core has it.
 */
import * as core from '@tidings/core';
import { ConfigurationError } from '@tidings/core';
import type { Flags } from '../args.ts';
import { loadCatalog } from '../load-catalog.ts';
import type { CliIo, Terminal } from '../terminal.ts';

export async function asyncApiCommand(flags: Flags, io: CliIo, terminal: Terminal) {
  if (!flags.catalog) {
    throw new ConfigurationError('tidings asyncapi needs --catalog <file> (a module exporting "catalog").');
  }
  // Looked up at run time: the export is being added to core alongside this CLI.
  const toAsyncApi = (core as Record<string, unknown>).toAsyncApi;
  if (typeof toAsyncApi !== 'function') {
    throw new ConfigurationError(
      'This version of @tidings/core has no toAsyncApi(catalog); update @tidings/core to export AsyncAPI documents.',
    );
  }
  const catalog = await loadCatalog(flags.catalog, io.cwd);
  const document = await (toAsyncApi as (catalog: core.Catalog) => unknown)(catalog);
  terminal.out(typeof document === 'string' ? document : JSON.stringify(document, null, 2));
}
