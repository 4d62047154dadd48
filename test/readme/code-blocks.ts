/**
 * Reads the fenced code blocks of a Markdown file, so the README tests (workspace) and the
 * pack test (installed tarballs) compile and run exactly the code a reader sees.
 */
import { readFileSync } from 'node:fs';

/** The bodies of the ```lang blocks of `markdown`, in order. */
export function codeBlocks(markdown: string, lang: string): string[] {
  const fence = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  return [...markdown.matchAll(fence)].map((match) => match[1] ?? '');
}

/** The first ```ts block of the Markdown file at `url`; throws when there is none. */
export function firstTsBlock(url: URL): string {
  const [block] = codeBlocks(readFileSync(url, 'utf8'), 'ts');
  if (block === undefined) throw new Error(`${url.pathname} has no \`\`\`ts code block.`);
  return block;
}
