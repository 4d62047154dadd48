/** Loads `--catalog <module>`: a module (TypeScript works under the CLI) exporting `catalog`. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Catalog, ConfigurationError } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';

export async function loadCatalog(path: string, cwd: string): Promise<Catalog> {
  const file = resolve(cwd, path);
  if (!existsSync(file)) {
    throw new ConfigurationError(
      `No catalog module at ${file}. Check --catalog (a .ts or .js file exporting "catalog").`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new ConfigurationError(`Could not load the catalog module ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const catalog = module.catalog as Partial<Catalog> | undefined;
  if (!catalog || !Array.isArray(catalog.definitions) || typeof catalog.get !== 'function') {
    throw new ConfigurationError(
      `${file} has no "catalog" export made by createCatalog([...]). Add: export const catalog = createCatalog([...]).`,
    );
  }
  return catalog as Catalog;
}
