/**
 * Timeout step: fails a run that outlives `handler.timeoutMs` with `TimeoutError` and aborts
 * its `context.signal`, so a cooperative handler stops its own work. The deadline goes on
 * the pipeline's one wheel: no timer and no `Promise.race` per message.
 */
import { TimeoutError } from '../../errors/errors.ts';
import type { DeadlineWheel } from '../deadline-wheel.ts';
import type { Outcome } from '../outcome.ts';
import type { StepFactory } from '../run.ts';

export function timeoutStep(wheel: DeadlineWheel): StepFactory<unknown> {
  return (next) => (run) => {
    const ms = run.handler.timeoutMs;
    if (!Number.isFinite(ms)) return next(run);
    return new Promise<Outcome>((resolve, reject) => {
      const deadline = wheel.add(ms, () => {
        const error = new TimeoutError(
          `Durable handler "${run.handler.name}" did not finish within ${ms} ms.`,
        );
        run.abort(error);
        reject(error);
      });
      const settle = (outcome: Outcome) => {
        wheel.cancel(deadline);
        resolve(outcome);
      };
      const fail = (error: unknown) => {
        wheel.cancel(deadline);
        reject(error);
      };
      try {
        next(run).then(settle, fail);
      } catch (error) {
        fail(error);
      }
    });
  };
}
