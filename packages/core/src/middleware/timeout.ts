/**
 * Timeout middleware: fails a handler with `TimeoutError` after `ms` and aborts its
 * `context.signal`, so cooperative handlers stop their own work.
 */

import { withAttempt } from '../bus/context.ts';
import type { Handler } from '../bus/handler.ts';
import { TimeoutError } from '../errors/errors.ts';
import type { Middleware } from './middleware.ts';

export function timeout(options: { readonly ms: number }): Middleware {
  return <E extends Parameters<Handler>[0]>(next: Handler<E>): Handler<E> =>
    async (event, context) => {
      const controller = new AbortController();
      const onOuterAbort = () => controller.abort(context.signal.reason);
      context.signal.addEventListener('abort', onOuterAbort, { once: true });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new TimeoutError(
            `Handler "${context.handler}" did not finish ${event.type} ${event.id} within ${options.ms} ms.`,
          );
          controller.abort(error);
          reject(error);
        }, options.ms);
      });
      try {
        return await Promise.race([
          next(event, withAttempt(context, context.attempt, controller.signal)),
          timedOut,
        ]);
      } finally {
        clearTimeout(timer);
        context.signal.removeEventListener('abort', onOuterAbort);
      }
    };
}
