/**
 * The `tidings` entry point (compiled to dist and run by `bin/tidings.js`): wires the process's
 * streams, environment and Ctrl-C to `runCli`.
 */
import { runCli } from './run-cli.ts';

const controller = new AbortController();
const stop = () => controller.abort();
// `on`, not `once`: a second Ctrl-C must not kill the process before it has closed the store.
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: controller.signal,
});
process.off('SIGINT', stop);
process.off('SIGTERM', stop);
