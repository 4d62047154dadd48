/**
 * Tracing step: the installed instrumentation's `wrapHandler` hook (e.g. an OpenTelemetry
 * process span) around the rest of the run, decode included. Costs a property check when no
 * instrumentation is installed.
 */
import { currentInstrumentation } from '../../instrumentation/hooks.ts';
import type { StepFactory } from '../run.ts';

export const tracingStep: StepFactory<unknown> = (next) => (run) => {
  const wrap = currentInstrumentation()?.wrapHandler;
  if (!wrap) return next(run);
  const { handler, event, attempt, source } = run;
  return wrap({ handler: handler.name, event, attempt, delivery: source.delivery }, () => next(run));
};
