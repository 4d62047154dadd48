/** Runs `test/chaos/run.ts` with arguments as `npm run chaos` would, and parses the figures it prints. */
import { spawn } from 'node:child_process';

const runner = new URL('./run.ts', import.meta.url).pathname;

export async function runChaos(
  args: string[],
): Promise<{ code: number | null; figures: Record<string, unknown> }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@tidings/source', '--import', 'tsx', runner, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, figures: JSON.parse(stdout) as Record<string, unknown> };
}
