/**
 * The chaos run's producer: appends `events` events over `subjects` subjects, alternating
 * single events and batches of 50 per transaction, as an application would. A transaction
 * that fails (the database restarting) is retried with the same events: an "appended twice"
 * answer means the failed attempt had in fact committed, so nothing is appended twice.
 */
import { createOutbox, StoreError } from '@tidings/core';
import { Ticked } from '../crash/crash-app.ts';
import type { CrashDb } from '../crash/crash-db.ts';

export async function produce(db: CrashDb, events: number, subjects: number, log: (e: unknown) => void) {
  const outbox = createOutbox({ store: db.store, routes: [{ name: 'broker' }] });
  const sequences = new Array<number>(subjects).fill(0);
  for (let sent = 0; sent < events; ) {
    const size = Math.min(events - sent, sent % 3 === 0 ? 1 : 50);
    const batch = Array.from({ length: size }, (_, i) => {
      const s = (sent + i) % subjects;
      sequences[s] = (sequences[s] ?? 0) + 1;
      return Ticked.create(
        { n: sent + i },
        { subject: { type: 'Clock', id: `c-${s}`, sequence: sequences[s] } },
      );
    });
    for (;;) {
      try {
        await outbox.transaction((_tx, record) => record(batch));
        break;
      } catch (error) {
        if (StoreError.is(error) && /appended twice/.test(error.message)) break;
        log(error);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    sent += size;
  }
}
