/** The README's example runs, and the README quotes it verbatim, so the docs cannot rot. */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { expect, it, onTestFinished } from 'vitest';
import { databaseUrl, dropSchema, uniqueSchema } from '../test/fresh-schema.ts';
import { placeOrder } from '../test/place-order.example.ts';

it('runs the README example: the order and its event commit together, then a relay delivers it', async () => {
  const schema = uniqueSchema();
  onTestFinished(() => dropSchema(schema));
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".orders (id TEXT PRIMARY KEY)`);
  await setup.end();
  const event = await placeOrder(databaseUrl, schema, 'o-1');
  expect(event).toMatchObject({ type: 'OrderPlaced', payload: { orderId: 'o-1' } });
});

it('quotes the example file in the README', () => {
  const source = readFileSync(new URL('../test/place-order.example.ts', import.meta.url), 'utf8');
  const example = source.split('// #region example\n')[1]!.split('// #endregion example')[0]!.trimEnd();
  expect(readFileSync(new URL('../README.md', import.meta.url), 'utf8')).toContain(example);
});
