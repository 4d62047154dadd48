/**
 * Checks that `npm run build` covers every public package: each has a tsconfig.build.json
 * and the root tsconfig.build.json references it. A package missing from the build would
 * ship without dist; this says what to add instead of failing later on a missing file.
 */
import { access, readFile } from 'node:fs/promises';

const root = new URL('../../', import.meta.url);

export async function checkBuildCovers(folders: readonly string[]): Promise<void> {
  const rootConfig = JSON.parse(await readFile(new URL('tsconfig.build.json', root), 'utf8')) as {
    references?: readonly { path: string }[];
  };
  const referenced = new Set((rootConfig.references ?? []).map((reference) => reference.path));
  const missing: string[] = [];
  for (const folder of folders) {
    const config = `${folder}/tsconfig.build.json`;
    const exists = await access(new URL(config, root)).then(
      () => true,
      () => false,
    );
    if (!exists)
      missing.push(`${config} does not exist (copy a sibling's, with references to what it imports)`);
    else if (!referenced.has(config)) missing.push(`tsconfig.build.json does not reference ${config}`);
  }
  if (missing.length > 0)
    throw new Error(`The build does not cover every public package:\n${missing.join('\n')}`);
}
