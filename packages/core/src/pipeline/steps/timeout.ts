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
    // Set by the promise below; the wheel cannot fire before it exists (no timer runs
    // between adding the deadline and making the promise: it is all one synchronous turn).
    let rejectRun: ((error: unknown) => void) | undefined;
    const deadline = wheel.add(ms, () => {
      const error = new TimeoutError(`Durable handler "${run.handler.name}" did not finish within ${ms} ms.`);
      run.abort(error);
      rejectRun?.(error);
    });
    let outcome: Promise<Outcome>;
    try {
      outcome = next(run);
    } catch (error) {
      wheel.cancel(deadline);
      return Promise.reject(error);
    }
    // A synchronous handler finished already: no deadline can pass, no promise to race.
    if (outcome === doneNow) {
      wheel.cancel(deadline);
      return outcome;
    }
    return new Promise<Outcome>((resolve, reject) => {
      rejectRun = reject;
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
