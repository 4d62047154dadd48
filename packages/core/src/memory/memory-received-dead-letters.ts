/**
 * Received dead letters in memory: the memory store's implementation of the port, and the
 * reference the contract suite checks. Nothing survives the process.
 */
import {
  type ReceivedDeadLetterRow,
  receivedDeadLetterFilters,
  receivedDeadLetterFromRow,
  receivedDeadLetterValues,
} from '../outbox/received-dead-letter-rows.ts';
import type { ReceivedDeadLetters } from '../outbox/received-dead-letters.ts';

type Row = { -readonly [K in keyof ReceivedDeadLetterRow]: ReceivedDeadLetterRow[K] } & { order: number };

export function createMemoryReceivedDeadLetters(clock: () => number): ReceivedDeadLetters {
  const rows = new Map<string, Row>();
  let order = 0;
  // Rows are kept in the SQL stores' shape, so the memory store reads back through the same mapper.
  const read = (row: Row) => receivedDeadLetterFromRow({ ...row, body: row.body.slice() });
  const byFailure = (a: Row, b: Row) =>
    Number(a.last_failed_at) - Number(b.last_failed_at) || a.order - b.order;

  return {
    async put(record) {
      const values = receivedDeadLetterValues(record, clock());
      const id = values[0] as string;
      if (rows.has(id)) return;
      const [, handler, group, messageId, topic, key, reason, code, attempts, first, last, headers] = values;
      order += 1;
      rows.set(id, {
        id,
        handler: handler as string,
        group_name: group as string,
        message_id: messageId as string,
        topic: topic as string,
        message_key: key as string,
        reason: reason as string,
        code: code as string | null,
        attempts: attempts as number,
        first_failed_at: first as number,
        last_failed_at: last as number,
        headers: headers as string,
        body: record.body.slice(),
        status: 'dead',
        recorded_at: clock(),
        redrive_requested_at: null,
        redriven_at: null,
        order,
      });
    },
    async list(query) {
      const filters = receivedDeadLetterFilters(query);
      return [...rows.values()]
        .filter(
          (row) =>
            (filters.handler === null || row.handler === filters.handler) &&
            (filters.status === null || row.status === filters.status) &&
            (filters.since === null || Number(row.last_failed_at) >= filters.since),
        )
        .sort(byFailure)
        .slice(0, filters.limit)
        .map(read);
    },
    async get(id) {
      const row = rows.get(id);
      return row && read(row);
    },
    async requestRedrive(ids) {
      let changed = 0;
      for (const id of new Set(ids)) {
        const row = rows.get(id);
        if (!row || row.status === 'redrive-requested') continue;
        row.status = 'redrive-requested';
        row.redrive_requested_at = clock();
        changed += 1;
      }
      return changed;
    },
    async claimRedrives(limit) {
      return [...rows.values()]
        .filter((row) => row.status === 'redrive-requested')
        .sort((a, b) => Number(a.redrive_requested_at) - Number(b.redrive_requested_at) || a.order - b.order)
        .slice(0, Math.max(0, Math.floor(limit)))
        .map(read);
    },
    async markRedriven(ids) {
      let changed = 0;
      for (const id of new Set(ids)) {
        const row = rows.get(id);
        if (row?.status !== 'redrive-requested') continue;
        row.status = 'redriven';
        row.redriven_at = clock();
        changed += 1;
      }
      return changed;
    },
  };
}
