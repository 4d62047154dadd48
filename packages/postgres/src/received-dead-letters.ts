/**
 * Received dead letters on PostgreSQL: the consumer's dead letters in
 * `<prefix>received_dead_letters` (created by migration 4), for the CLI, the inspector and
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
import type pg from 'pg';
import type { Statement } from './append.ts';
import type { TableNames } from './options.ts';

/** The table's quoted, schema-qualified name, beside the inbox's (same schema and prefix). */
export const receivedDeadLettersTable = (names: TableNames): string =>
  names.inbox.replace(/inbox"$/, 'received_dead_letters"');

export function receivedDeadLettersMigration(names: TableNames): readonly string[] {
  const table = receivedDeadLettersTable(names);
  return [
    `CREATE TABLE ${table} (
      id TEXT PRIMARY KEY,
      handler TEXT NOT NULL,
      group_name TEXT NOT NULL,
      message_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      message_key TEXT NOT NULL,
      reason TEXT NOT NULL,
      code TEXT,
      attempts INTEGER NOT NULL,
      first_failed_at BIGINT NOT NULL,
      last_failed_at BIGINT NOT NULL,
      headers TEXT NOT NULL,
      body BYTEA NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('dead', 'redrive-requested', 'redriven')),
      recorded_at BIGINT NOT NULL,
      redrive_requested_at BIGINT,
      redriven_at BIGINT,
      UNIQUE (handler, message_id)
    )`,
    `CREATE INDEX ${names.index('rdl_failed_idx')} ON ${table} (last_failed_at)`,
    `CREATE INDEX ${names.index('rdl_requested_idx')} ON ${table} (redrive_requested_at)
      WHERE status = 'redrive-requested'`,
  ];
}

type Query = <R extends object>(operation: string, statement: Statement) => Promise<pg.QueryResult<R>>;

const columns = `${receivedDeadLetterColumns}, redrive_requested_at, redriven_at`;

export function postgresReceivedDeadLetters(
  names: TableNames,
  query: Query,
  now: () => number,
): ReceivedDeadLetters {
  const table = receivedDeadLettersTable(names);
  const select = async (operation: string, text: string, values: unknown[]) =>
    (await query<ReceivedDeadLetterRow>(operation, { text, values })).rows.map(receivedDeadLetterFromRow);
  const update = async (operation: string, set: string, where: string, ids: readonly string[]) => {
    if (ids.length === 0) return 0;
    const text = `UPDATE ${table} SET ${set} WHERE id = ANY($1::text[]) AND ${where}`;
    return (await query(operation, { text, values: [[...new Set(ids)], now()] })).rowCount ?? 0;
  };
  return {
    async put(record) {
      const values = receivedDeadLetterValues(record, now());
      const body = record.body;
      values[12] = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const placeholders = values.map((_, i) => `$${i + 1}`).join(', ');
      await query('keep a received dead letter', {
        text: `INSERT INTO ${table} (${receivedDeadLetterColumns}) VALUES (${placeholders}) ON CONFLICT DO NOTHING`,
        values,
      });
    },
    async list(request) {
      const f = receivedDeadLetterFilters(request);
      return select(
        'read received dead letters',
        `SELECT ${columns} FROM ${table}
         WHERE ($1::text IS NULL OR handler = $1) AND ($2::text IS NULL OR status = $2)
           AND ($3::bigint IS NULL OR last_failed_at >= $3)
         ORDER BY last_failed_at, recorded_at, id LIMIT $4`,
        [f.handler, f.status, f.since, f.limit],
      );
    },
    async get(id) {
      const [row] = await select(
        'read a received dead letter',
        `SELECT ${columns} FROM ${table} WHERE id = $1`,
        [id],
      );
      return row;
    },
    requestRedrive: (ids) =>
      update(
        'request redrives',
        "status = 'redrive-requested', redrive_requested_at = $2",
        "status <> 'redrive-requested'",
        ids,
      ),
    claimRedrives: (limit) =>
      select(
        'claim redrives',
        `SELECT ${columns} FROM ${table} WHERE status = 'redrive-requested'
         ORDER BY redrive_requested_at, recorded_at, id LIMIT $1`,
        [Math.max(0, Math.floor(limit))],
      ),
    markRedriven: (ids) =>
      update('mark redriven', "status = 'redriven', redriven_at = $2", "status = 'redrive-requested'", ids),
  };
}
