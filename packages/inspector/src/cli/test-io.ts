/** A CliIo that captures what the CLI writes, for tests. */
import type { CliIo } from './terminal.ts';

export interface CapturedIo extends CliIo {
  readonly written: { stdout: string; stderr: string };
}

export function captureIo(
  options: { env?: Record<string, string>; cwd?: string; signal?: AbortSignal } = {},
): CapturedIo {
  const written = { stdout: '', stderr: '' };
  return {
    written,
    stdout: { write: (chunk: string) => (written.stdout += chunk) },
    stderr: { write: (chunk: string) => (written.stderr += chunk) },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal ?? new AbortController().signal,
  };
}
