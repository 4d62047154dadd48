/**
 * Timeout middleware: fails a handler with `TimeoutError` after `ms` and aborts its
 * `context.signal`, so cooperative handlers stop their own work. Each `timeout()` keeps its
 * deadlines on one deadline wheel (one timer however many calls are running), not a
 * `setTimeout` and a `Promise.race` per call; the wheel is made on first use.
 */

import { withAttempt } from '../bus/context.ts';
import type { Handler } from '../bus/handler.ts';
import { TimeoutError } from '../errors/errors.ts';
import { createDeadlineWheel, type DeadlineWheel } from '../pipeline/deadline-wheel.ts';
import type { Middleware } from './middleware.ts';

export function timeout(options: { readonly ms: number }): Middleware {
  let wheel: DeadlineWheel | undefined;
  return <E extends Parameters<Handler>[0]>(next: Handler<E>): Handler<E> =>
    (event, context) => {
      wheel ??= createDeadlineWheel({ resolutionMs: 1 });
      const deadlines = wheel;
      const controller = new AbortController();
      const outer = context.signal;
      const onOuterAbort = () => controller.abort(outer.reason);
      outer.addEventListener('abort', onOuterAbort, { once: true });
      return new Promise<void>((resolve, reject) => {
        const deadline = deadlines.add(options.ms, () => {
          const error = new TimeoutError(
            `Handler "${context.handler}" did not finish ${event.type} ${event.id} within ${options.ms} ms.`,
          );
          outer.removeEventListener('abort', onOuterAbort);
          controller.abort(error);
          reject(error);
        });
        const end = () => {
          deadlines.cancel(deadline);
          outer.removeEventListener('abort', onOuterAbort);
        };
        try {
          Promise.resolve(next(event, withAttempt(context, context.attempt, controller.signal))).then(
            () => {
              end();
              resolve();
            },
            (error: unknown) => {
              end();
              reject(error);
            },
          );
        } catch (error) {
          end();
          reject(error);
        }
      });
    };
}
