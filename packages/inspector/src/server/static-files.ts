/**
 * Serves the page (`src/ui`): plain HTML, CSS and JavaScript modules, no build step. Only
 * files directly known by extension are served and a path can never leave the folder.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const uiRoot = fileURLToPath(new URL('../ui/', import.meta.url));

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface StaticFile {
  readonly contentType: string;
  readonly body: Buffer;
}

/** The file for a URL path (`/` is the page), or undefined when there is none. */
export async function readStaticFile(path: string): Promise<StaticFile | undefined> {
  const relative = path === '/' ? 'index.html' : path.replace(/^\/+/, '');
  const contentType = contentTypes[extname(relative)];
  if (!contentType || relative.includes('\0')) return undefined;
  const file = normalize(join(uiRoot, relative));
  if (!file.startsWith(uiRoot) || file.includes(`${sep}..${sep}`)) return undefined;
  try {
    return { contentType, body: await readFile(file) };
  } catch {
    return undefined;
  }
}
