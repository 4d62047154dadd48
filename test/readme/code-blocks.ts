/**
 * Reads the fenced code blocks of a Markdown file, so the README tests (workspace) and the
 * pack test (installed tarballs) compile and run exactly the code a reader sees.
 */
import { readFileSync } from 'node:fs';

export interface CodeBlock {
  readonly lang: string;
  readonly body: string;
}

export interface Sample {
  readonly code: string;
  /** The ```text block right after the code, when there is one: what the code prints. */
  readonly output: string | undefined;
}

/** Every fenced block of `markdown`, in order. */
export function fencedBlocks(markdown: string): CodeBlock[] {
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  return [...markdown.matchAll(fence)].map((match) => ({ lang: match[1] ?? '', body: match[2] ?? '' }));
}

/** The ```ts blocks of a Markdown file, each with the output block that follows it. */
export function tsSamples(url: URL): Sample[] {
  const blocks = fencedBlocks(readFileSync(url, 'utf8'));
  return blocks.flatMap((block, i) => {
    if (block.lang !== 'ts') return [];
    const next = blocks[i + 1];
    return [{ code: block.body, output: next?.lang === 'text' ? next.body : undefined }];
  });
}

/** The first ```ts block of the Markdown file at `url`; throws when there is none. */
export function firstTsBlock(url: URL): string {
  const [sample] = tsSamples(url);
  if (sample === undefined) throw new Error(`${url.pathname} has no \`\`\`ts code block.`);
  return sample.code;
}
