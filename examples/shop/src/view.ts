/** The live terminal view: what happened, which handler ran, and the dashboard. */
import { styleText } from 'node:util';
import type { AnyDomainEvent, Handler, Middleware } from '@tidings/core';
import { errorMessage } from '@tidings/core/spi';

const colour = process.stdout.isTTY && !process.env.NO_COLOR;
type Style = Parameters<typeof styleText>[0];
export const paint = (style: Style, text: string) => (colour ? styleText(style, text) : text);

export function describe(event: AnyDomainEvent): string {
  const p = event.payload as Record<string, unknown>;
  const id = p.orderId ?? p.userId ?? event.subject?.id ?? event.id;
  return `${paint('bold', event.type.replace('shop.', ''))} ${paint('cyan', String(id))}`;
}

export interface HandlerCounts {
  ran: number;
  failed: number;
}

/** Logs each handler attempt and counts them. */
export function observeHandlers(log: (line: string) => void, counts: HandlerCounts): Middleware {
  return <E extends AnyDomainEvent>(next: Handler<E>): Handler<E> =>
    async (event, context) => {
      try {
        await next(event, context);
        counts.ran += 1;
        log(
          `   ${paint('green', '✓')} ${context.handler} handled ${describe(event)}${context.attempt > 1 ? ` (attempt ${context.attempt})` : ''}`,
        );
      } catch (error) {
        counts.failed += 1;
        log(
          `   ${paint('red', '✗')} ${context.handler} failed on ${describe(event)} (attempt ${context.attempt}): ${errorMessage(error)}`,
        );
        throw error;
      }
    };
}
