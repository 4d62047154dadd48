/**
 * Credentials are never printed. Secret-bearing URLs (password in the user-info, in a
 * `?password=` query, containing `/` or `@`, with no user or host) go through every path
 * that shows a URL to people: the CLI's messages and errors, the `tidings inspect` banner
 * and the inspector's header, and the connect errors of the PostgreSQL store, NATS and
 * RabbitMQ. Everything they print, errors inspected in depth, is searched for the secret.
 */
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { createNatsTransport } from '@tidings/nats';
import { createPostgresOutboxStore } from '@tidings/postgres';
import { createRabbitMqTransport } from '@tidings/rabbitmq';
import { waitUntil } from '@tidings/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/inspector/src/cli/run-cli.ts';
import { captureIo } from '../../packages/inspector/src/cli/test-io.ts';

const secret = `Zq${randomBytes(6).toString('hex')}`;
const databaseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const schema = `t_secrets_${randomBytes(6).toString('hex')}`;

/** The URL of the test database with `password` and `?password=` set to secrets. */
function secretDatabaseUrl(): string {
  const url = new URL(databaseUrl);
  url.password = secret;
  url.searchParams.set('password', `${secret}q`);
  return url.toString();
}

/** URLs that no server answers, each hiding the secret differently. */
const unreachable = [
  `postgres://app:${secret}@127.0.0.1:1/test`,
  `postgres://app@127.0.0.1:1/test?password=${secret}`,
  `postgres://:${secret}@/test`,
  `postgres://app:pa/${secret}@127.0.0.1:1/test`,
  `postgres://app:pa@${secret}@127.0.0.1:1/test`,
  `postgres://app:${secret}@exa mple:1/test`,
];

function expectNoSecret(what: string, printed: string): void {
  expect({ what, leaked: printed.includes(secret) }).toEqual({ what, leaked: false });
}

/** Everything an error would print: message, stack, causes and details. */
async function failureOf(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
  } catch (error) {
    return inspect(error, { depth: 8 });
  }
  throw new Error('expected a failure');
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: databaseUrl.toString() });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('credentials are never printed', () => {
  it('by CLI commands and their errors', async () => {
    for (const db of unreachable) {
      const io = captureIo({ env: { FORCE_COLOR: '0' } });
      const code = await runCli(['outbox', '--db', db], io);
      expect(code).not.toBe(0);
      expect(io.written.stderr.length + io.written.stdout.length).toBeGreaterThan(0);
      expectNoSecret(`tidings outbox --db ${db}`, io.written.stdout + io.written.stderr);
      const fromEnv = captureIo({ env: { TIDINGS_DB: db } });
      await runCli(['events', '--json'], fromEnv);
      expectNoSecret(`TIDINGS_DB=${db} tidings events`, fromEnv.written.stdout + fromEnv.written.stderr);
    }
  });

  it('by the tidings inspect banner and the inspector header', async () => {
    // The CLI only opens a store that exists (it never creates one), so make it first.
    const store = createPostgresOutboxStore({
      connectionString: databaseUrl.toString(),
      schema,
      notify: false,
    });
    await store.migrate();
    await store.close();
    const controller = new AbortController();
    const io = captureIo({ signal: controller.signal });
    const running = runCli(['inspect', '--db', secretDatabaseUrl(), '--schema', schema, '--port', '0'], io);
    await waitUntil(
      () => /token=/.test(io.written.stdout) || io.written.stderr !== '',
      'the inspector banner',
    );
    expect(io.written.stderr).toBe('');
    const address = /http:\/\/\S+token=\S+/.exec(io.written.stdout)?.[0] as string;
    const token = new URL(address).searchParams.get('token') as string;
    const info = await fetch(new URL('/api/info', address), { headers: { 'x-tidings-token': token } });
    const header = await info.text();
    controller.abort();
    expect(await running).toBe(0);
    expect(header).toContain(`${databaseUrl.hostname}`);
    expectNoSecret('the inspect banner', io.written.stdout + io.written.stderr);
    expectNoSecret('the inspector header (/api/info)', header);
  });

  it('by the PostgreSQL store, NATS and RabbitMQ when they cannot connect', async () => {
    for (const connectionString of unreachable.filter((url) => !url.includes(' '))) {
      const store = createPostgresOutboxStore({ connectionString, notify: false });
      expectNoSecret(`postgres ${connectionString}`, await failureOf(() => store.migrate()));
      await store.close();
    }
    for (const connection of [
      `nats://token:${secret}@127.0.0.1:1`,
      `nats://a:1,nats://u:pa/${secret}@127.0.0.1:1`,
    ]) {
      expectNoSecret(`nats ${connection}`, await failureOf(() => createNatsTransport({ connection })));
    }
    for (const url of [
      `amqp://guest:${secret}@127.0.0.1:1`,
      `amqp://guest:pa/${secret}@127.0.0.1:1/vhost`,
      `amqp://guest:pa@${secret}@127.0.0.1:1/vhost`,
    ]) {
      const failure = await failureOf(() =>
        createRabbitMqTransport({ connection: url, connectTimeoutMs: 300 }),
      );
      expectNoSecret(`rabbitmq ${url}`, failure);
    }
  });
});
