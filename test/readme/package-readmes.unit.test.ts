/**
 * The READMEs of @tidings/core and @tidings/testing show exactly the files of
 * test/readme/core and test/readme/testing, which the type-check compiles. Core's samples are
 * run here and must print the output block shown under each; testing's samples are test
 * files that vitest runs on their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { format } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { tsSamples } from './code-blocks.ts';

const root = new URL('../../', import.meta.url);

function sampleFiles(folder: string): string[] {
  return readdirSync(new URL(folder, import.meta.url))
    .filter((file) => file.endsWith('.ts'))
    .sort();
}

describe.each([
  { readme: 'packages/core/README.md', folder: 'core/' },
  { readme: 'packages/testing/README.md', folder: 'testing/' },
])('$readme', ({ readme, folder }) => {
  const samples = tsSamples(new URL(readme, root));
  const files = sampleFiles(folder);

  it(`shows exactly the files of test/readme/${folder}, in order`, () => {
    expect(samples.map((sample) => sample.code)).toEqual(
      files.map((file) => readFileSync(new URL(`${folder}${file}`, import.meta.url), 'utf8')),
    );
  });

  const runnable = files.flatMap((file, i) =>
    file.endsWith('.test.ts') ? [] : [{ file, sample: samples[i] }],
  );
  it.each(runnable)('$file prints what the README says', async ({ file, sample }) => {
    expect(sample?.output, `the README shows no \`\`\`text output after ${file}`).toBeDefined();
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(format(...args));
    });
    try {
      await import(`./${folder}${file}`);
    } finally {
      log.mockRestore();
    }
    expect(`${lines.join('\n')}\n`).toBe(sample?.output);
  });
});
