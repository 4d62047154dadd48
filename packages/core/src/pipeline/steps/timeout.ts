/**
 * Timeout step: fails a run that outlives `handler.timeoutMs` with `TimeoutError` and aborts
 * its `context.signal`, so a cooperative handler stops its own work. The deadline goes on
 * the pipeline's one wheel: no timer and no `Promise.race` per message.
 */
import { TimeoutError } from '../../errors/errors.ts';
import type { DeadlineWheel } from '../deadline-wheel.ts';
import { doneNow, type Outcome } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export function timeoutStep(wheel: DeadlineWheel): StepFactory<unknown> {
  return (next) => (run) => {
    const ms = run.handler.timeoutMs;
    if (!Number.isFinite(ms)) return next(run);
    const started = wheel.now();
    let outcome: Promise<Outcome>;
    try {
      outcome = next(run);
    } catch (error) {
      return Promise.reject(error);
    }
    // A synchronous handler finished already: no timer could have fired meanwhile (one
    // synchronous turn), so there is no deadline to file and no promise to race. Adding and
    // cancelling one per message also armed and cleared the wheel's timer each time.
    if (outcome === doneNow) return outcome;
    return new Promise<Outcome>((resolve, reject) => {
      // Counted from before the handler started, as if filed then.
      const deadline = wheel.add(ms - (wheel.now() - started), () => {
        const error = new TimeoutError(
          `Durable handler "${run.handler.name}" did not finish within ${ms} ms.`,
        );
        run.abort(error);
        reject(error);
      });
      outcome.then(
        (value) => {
          wheel.cancel(deadline);
          resolve(value);
        },
        (error: unknown) => {
          wheel.cancel(deadline);
          reject(error);
        },
      );
    });
  };
}
