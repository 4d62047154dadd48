/**
 * Received dead letters on SQLite: the consumer's dead letters in
 * `<prefix>received_dead_letters`, for the CLI, the inspector and the redrive loop.
 */
import type { ReceivedDeadLetters } from '@tidings/core';
import {
  type ReceivedDeadLetterRow,
  receivedDeadLetterColumns,
  receivedDeadLetterFilters,
  receivedDeadLetterFromRow,
  receivedDeadLetterValues,
} from '@tidings/core/spi';
import type { Session } from './session.ts';

const columns = `${receivedDeadLetterColumns}, redrive_requested_at, redriven_at`;

export function sqliteReceivedDeadLetters(session: Session): ReceivedDeadLetters {
  const table = session.tables.receivedDeadLetters;
  const read = (rows: unknown[]) => (rows as ReceivedDeadLetterRow[]).map(receivedDeadLetterFromRow);
  // Ids go in as one JSON array: any number of them, one statement.
  const update = (set: string, where: string) =>
    session.statement(
      `UPDATE ${table} SET ${set} WHERE id IN (SELECT value FROM json_each(:ids)) AND ${where}`,
    );
  return {
    async put(record) {
      const values = receivedDeadLetterValues(record, session.clock());
      const body = record.body;
      values[12] = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const insert = session.statement(
        `INSERT INTO ${table} (${receivedDeadLetterColumns}) VALUES (${values.map(() => '?').join(', ')})
         ON CONFLICT DO NOTHING`,
      );
      await session.write('receivedDeadLetters.put', () => insert.run(...values));
    },
    async list(query) {
      const filters = receivedDeadLetterFilters(query);
      const select = session.statement(
        `SELECT ${columns} FROM ${table}
         WHERE (:handler IS NULL OR handler = :handler) AND (:status IS NULL OR status = :status)
           AND (:since IS NULL OR last_failed_at >= :since)
         ORDER BY last_failed_at, rowid LIMIT :limit`,
      );
      return session.read('receivedDeadLetters.list', () => read(select.all(filters)));
    },
    async get(id) {
      const select = session.statement(`SELECT ${columns} FROM ${table} WHERE id = ?`);
      return session.read('receivedDeadLetters.get', () => read([select.get(id)].filter(Boolean))[0]);
    },
    async requestRedrive(ids) {
      const statement = update(
        "status = 'redrive-requested', redrive_requested_at = :now",
        "status != 'redrive-requested'",
      );
      const params = { ids: JSON.stringify(ids), now: session.clock() };
      return session.write('receivedDeadLetters.requestRedrive', () => statement.run(params).changes);
    },
    async claimRedrives(limit) {
      const select = session.statement(
        `SELECT ${columns} FROM ${table} WHERE status = 'redrive-requested'
         ORDER BY redrive_requested_at, rowid LIMIT ?`,
      );
      const rows = Math.max(0, Math.floor(limit));
      return session.read('receivedDeadLetters.claimRedrives', () => read(select.all(rows)));
    },
    async markRedriven(ids) {
      const statement = update("status = 'redriven', redriven_at = :now", "status = 'redrive-requested'");
      const params = { ids: JSON.stringify(ids), now: session.clock() };
      return session.write('receivedDeadLetters.markRedriven', () => statement.run(params).changes);
    },
  };
}
