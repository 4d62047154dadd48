/**
 * Credentials are never printed: the errors of a MySQL store that cannot connect (no server,
 * a wrong password), inspected in depth with their causes, do not contain the password.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { StoreError } from '@tidings/core';
import { expect, it } from 'vitest';
import { mysqlUrl, uniquePrefix } from '../test/fresh-tables.ts';
import { createMysqlOutboxStore } from './mysql-outbox-store.ts';

const secret = `Zq${randomBytes(6).toString('hex')}`;

function withPassword(base: string, password: string): string {
  const url = new URL(base);
  url.password = password;
  return url.toString();
}

it.each([
  ['no server', withPassword('mysql://app@127.0.0.1:1/test', secret)],
  ['a wrong password', withPassword(mysqlUrl, secret)],
])('with %s, fails with a StoreError that never shows the password', async (_, uri) => {
  const store = createMysqlOutboxStore({ uri, tablePrefix: uniquePrefix() });
  const error = await store.stats().catch((e: unknown) => e);
  await store.close();
  expect(StoreError.is(error)).toBe(true);
  expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(secret);
  expect(String((error as Error).message)).not.toContain(secret);
});
