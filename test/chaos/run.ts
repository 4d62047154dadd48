/**
 * `npm run chaos -- [--scale full|small] [--outbox postgres|sqlite] [--broker rabbitmq|nats|redis|kafka|sqs]
 * [--events N --subjects N --kills K --restarts R --pg-restarts R --relays N --consumers N] [--fuzz N]`:
 * real processes against servers of the run's own. Prints the figures as JSON and exits
 * non-zero on any loss, duplicate effect, unexpected exit, undrained backlog, or order
 * violation on a transport that declares per-key order (chaos-run.ts); with `--fuzz N`,
 * runs the hostile-input run instead (fuzz/fuzz-run.ts).
 */
import { chaosRun, failed } from './chaos-run.ts';
import { parseOptions } from './options.ts';

const options = parseOptions(process.argv.slice(2));
if (options.fuzz > 0) {
  const { fuzzRun, fuzzFailed } = await import('./fuzz/fuzz-run.ts');
  const figures = await fuzzRun(options);
  console.log(JSON.stringify(figures, null, 2));
  process.exitCode = fuzzFailed(figures) ? 1 : 0;
} else {
  const figures = await chaosRun(options);
  console.log(JSON.stringify(figures, null, 2));
  process.exitCode = failed(figures) ? 1 : 0;
}
