import type { ChaosOptions } from '../options.ts';
export async function fuzzRun(_o: ChaosOptions) {
  return {};
}
export function fuzzFailed(_f: unknown) {
  return true;
}
