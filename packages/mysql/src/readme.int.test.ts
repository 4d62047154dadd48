/** The README's example runs, and the README quotes it verbatim, so the docs cannot rot. */
import { readFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { expect, it, onTestFinished } from 'vitest';
import { dropTables, mysqlUrl, uniquePrefix } from '../test/fresh-tables.ts';
import { placeOrder } from '../test/place-order.example.ts';

it('runs the README example: the order and its event commit together, then a relay delivers it', async () => {
  const tablePrefix = uniquePrefix();
  onTestFinished(() => dropTables(tablePrefix));
  const setup = await mysql.createConnection({ uri: mysqlUrl });
  await setup.query(`CREATE TABLE ${tablePrefix}orders (id VARCHAR(64) PRIMARY KEY)`);
  await setup.end();
  const event = await placeOrder(mysqlUrl, tablePrefix, 'o-1');
  expect(event).toMatchObject({ type: 'OrderPlaced', payload: { orderId: 'o-1' } });
});

it('quotes the example file in the README', () => {
  const source = readFileSync(new URL('../test/place-order.example.ts', import.meta.url), 'utf8');
  const example = source.split('// #region example\n')[1]!.split('// #endregion example')[0]!.trimEnd();
  expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(example);
});
