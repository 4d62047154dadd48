/**
 * Received dead letters on MySQL / MariaDB: the consumer's dead letters in
 * `<prefix>received_dead_letters` (created by migration 2), for the CLI, the inspector and
 * the redrive loop.
 */
import type { ReceivedDeadLetters } from '@tidings/core';
import {
  type ReceivedDeadLetterRow,
  receivedDeadLetterColumns,
  receivedDeadLetterFilters,
  receivedDeadLetterFromRow,
  receivedDeadLetterValues,
} from '@tidings/core/spi';
import type { ResultSetHeader } from 'mysql2/promise';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';

/** The table's quoted name, beside the inbox's (same database and prefix). */
export const receivedDeadLettersTable = (names: TableNames): string =>
  names.inbox.replace(/inbox`$/, 'received_dead_letters`');

// id holds `<message id>:deadletter:<handler>`; the unique key stays inside InnoDB's 3,072 bytes.
export const receivedDeadLettersMigration = (names: TableNames, table: string): readonly string[] => [
  `CREATE TABLE IF NOT EXISTS ${receivedDeadLettersTable(names)} (
    seq BIGINT NOT NULL AUTO_INCREMENT,
    id VARCHAR(600) NOT NULL,
    handler VARCHAR(255) NOT NULL,
    group_name VARCHAR(255) NOT NULL,
    message_id VARCHAR(300) NOT NULL,
    topic VARCHAR(500) NOT NULL,
    message_key VARCHAR(500) NOT NULL,
    reason LONGTEXT NOT NULL,
    code VARCHAR(255) NULL,
    attempts INT NOT NULL,
    first_failed_at BIGINT NOT NULL,
    last_failed_at BIGINT NOT NULL,
    headers LONGTEXT NOT NULL,
    body LONGBLOB NOT NULL,
    status ENUM('dead', 'redrive-requested', 'redriven') NOT NULL,
    recorded_at BIGINT NOT NULL,
    redrive_requested_at BIGINT NULL,
    redriven_at BIGINT NULL,
    PRIMARY KEY (seq),
    UNIQUE KEY rdl_id (id),
    UNIQUE KEY rdl_message (handler, message_id),
    KEY rdl_failed (last_failed_at, seq),
    KEY rdl_requested (status, redrive_requested_at, seq)
  ) ${table}`,
];

type Query = <R>(operation: string, statement: Statement) => Promise<R>;

const columns = `${receivedDeadLetterColumns}, redrive_requested_at, redriven_at`;

export function mysqlReceivedDeadLetters(
  names: TableNames,
  query: Query,
  now: () => number,
): ReceivedDeadLetters {
  const table = receivedDeadLettersTable(names);
  const select = async (operation: string, sql: string, values: unknown[]) =>
    (await query<ReceivedDeadLetterRow[]>(operation, { sql, values })).map(receivedDeadLetterFromRow);
  const update = async (operation: string, set: string, where: string, ids: readonly string[]) => {
    if (ids.length === 0) return 0;
    const sql = `UPDATE ${table} SET ${set} WHERE id IN (?) AND ${where}`;
    return (await query<ResultSetHeader>(operation, { sql, values: [now(), [...new Set(ids)]] }))
      .affectedRows;
  };
  return {
    async put(record) {
      const values = receivedDeadLetterValues(record, now());
      const body = record.body;
      values[12] = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      // Not INSERT IGNORE: that would also turn a too-long value into a silent truncation.
      await query('keep a received dead letter', {
        sql: `INSERT INTO ${table} (${receivedDeadLetterColumns}) VALUES (${values.map(() => '?').join(', ')})
              ON DUPLICATE KEY UPDATE id = id`,
        values,
      });
    },
    async list(request) {
      const f = receivedDeadLetterFilters(request);
      return select(
        'read received dead letters',
        `SELECT ${columns} FROM ${table}
         WHERE (? IS NULL OR handler = ?) AND (? IS NULL OR status = ?) AND (? IS NULL OR last_failed_at >= ?)
         ORDER BY last_failed_at, seq LIMIT ?`,
        [f.handler, f.handler, f.status, f.status, f.since, f.since, f.limit],
      );
    },
    async get(id) {
      const [row] = await select(
        'read a received dead letter',
        `SELECT ${columns} FROM ${table} WHERE id = ?`,
        [id],
      );
      return row;
    },
    requestRedrive: (ids) =>
      update(
        'request redrives',
        "status = 'redrive-requested', redrive_requested_at = ?",
        "status <> 'redrive-requested'",
        ids,
      ),
    claimRedrives: (limit) =>
      select(
        'claim redrives',
        `SELECT ${columns} FROM ${table} WHERE status = 'redrive-requested'
         ORDER BY redrive_requested_at, seq LIMIT ?`,
        [Math.max(0, Math.floor(limit))],
      ),
    markRedriven: (ids) =>
      update('mark redriven', "status = 'redriven', redriven_at = ?", "status = 'redrive-requested'", ids),
  };
}
