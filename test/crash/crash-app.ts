/** The crash test's event and durable handler, shared by the test and the relay worker. */
import { defineEvent, durableHandler } from '@tidings/core';
import { z } from 'zod';
import type { CrashDb } from './crash-db.ts';

export const Ticked = defineEvent('crash.Ticked', { schema: z.object({ n: z.number().int() }) });

export function effectHandler(db: CrashDb) {
  return durableHandler(
    'record-effect',
    Ticked,
    async (event, context) => {
      await db.recordEffect(context.tx, event.id, event.subject!.id, event.subject!.sequence!);
    },
    { inbox: true, retry: { maxAttempts: 1000, baseDelayMs: 10, maxDelayMs: 200 } },
  );
}
