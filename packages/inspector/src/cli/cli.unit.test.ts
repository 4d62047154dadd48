import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { parseStoreLocation, redact } from '../store/open-store.ts';
import { parseCommand } from './args.ts';
import { runCli } from './run-cli.ts';
import { colourEnabled, formatAge, formatTable } from './terminal.ts';
import { captureIo } from './test-io.ts';

describe('tidings command line', () => {
  it('parses a command, its positionals and flags', () => {
    const parsed = parseCommand(['dead-letters', 'redrive', 'e-1', 'send-email', '--db', 'x.db']);
    expect(parsed.command).toBe('dead-letters');
    expect(parsed.positionals).toEqual(['redrive', 'e-1', 'send-email']);
    expect(parsed.flags.db).toBe('x.db');
    expect(parseCommand(['events', '-t', 'A', '-t', 'B,C', '-f']).flags).toEqual({
      type: ['A', 'B,C'],
      follow: true,
    });
  });

  it('refuses unknown commands, unknown flags and flags of another command', () => {
    expect(() => parseCommand(['evnts'])).toThrow(/Unknown command "evnts"/);
    expect(() => parseCommand(['events', '--colour'])).toThrow(ConfigurationError);
    expect(() => parseCommand(['outbox', '--follow'])).toThrow(/--follow does not apply to "tidings outbox"/);
  });

  it('exits 2 with one line saying what is wrong and how to fix it', async () => {
    const io = captureIo({ cwd: '/nonexistent-dir' });
    expect(await runCli(['events', '--db', 'missing.db'], io)).toBe(2);
    expect(io.written.stderr).toBe(
      'error: No SQLite database at /nonexistent-dir/missing.db. Check --db (a file path or postgres://url), or run your app once so it creates the store.\n',
    );
    const noDb = captureIo();
    expect(await runCli(['outbox'], noDb)).toBe(2);
    expect(noDb.written.stderr).toMatch(/--db .* or set TIDINGS_DB or DATABASE_URL/);
  });

  it('takes the database from TIDINGS_DB, then DATABASE_URL', async () => {
    const io = captureIo({ env: { DATABASE_URL: 'mongodb://db/shop' } });
    expect(await runCli(['outbox'], io)).toBe(2);
    expect(io.written.stderr).toContain('scheme "mongodb:" is not supported');
  });

  it('prints help with exit 0, and with exit 2 when no command is given', async () => {
    const help = captureIo();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.written.stdout).toContain('tidings <command>');
    expect(await runCli([], captureIo())).toBe(2);
  });

  it('says clearly when the catalog is missing', async () => {
    const io = captureIo();
    expect(await runCli(['asyncapi'], io)).toBe(2);
    expect(io.written.stderr).toContain('needs --catalog');
  });

  it('prints the AsyncAPI 3.0 document of a catalog module', async () => {
    const io = captureIo({ cwd: new URL('../../../../examples/shop/src/', import.meta.url).pathname });
    expect(await runCli(['asyncapi', '--catalog', './events.ts'], io)).toBe(0);
    const document = JSON.parse(io.written.stdout) as { asyncapi: string; channels: Record<string, unknown> };
    expect(document.asyncapi).toBe('3.0.0');
    expect(Object.keys(document.channels)).toEqual([
      'shop.UserRegistered',
      'shop.OrderPlaced',
      'shop.OrderConfirmationSent',
    ]);
  });

  it("describes the headers in the broker's binding given with --binding, and refuses an unknown one", async () => {
    const cwd = new URL('../../../../examples/shop/src/', import.meta.url).pathname;
    const io = captureIo({ cwd });
    expect(await runCli(['asyncapi', '--catalog', './events.ts', '--binding', 'kafka'], io)).toBe(0);
    const document = JSON.parse(io.written.stdout) as {
      components: { messages: Record<string, { headers?: { properties: Record<string, unknown> } }> };
    };
    const headers = Object.values(document.components.messages).map((m) =>
      Object.keys(m.headers?.properties ?? {}),
    );
    expect(headers[0]).toContain('ce_id');
    expect(headers[0]).not.toContain('ce-id');
    const bad = captureIo({ cwd });
    expect(await runCli(['asyncapi', '--catalog', './events.ts', '--binding', 'mqtt'], bad)).toBe(2);
    expect(bad.written.stderr).toContain('kafka');
  });

  it('parses store locations and hides passwords', () => {
    expect(parseStoreLocation('postgresql://u:secret@db:5432/app')).toEqual({
      kind: 'postgres',
      display: 'postgresql://u@db:5432/app',
      target: 'postgresql://u:secret@db:5432/app',
    });
    expect(() => parseStoreLocation('postgres://')).toThrow(/not a valid URL|names no host/);
    expect(parseStoreLocation('mysql://root:pw@127.0.0.1:3306/test')).toEqual({
      kind: 'mysql',
      display: 'mysql://root@127.0.0.1:3306/test',
      target: 'mysql://root:pw@127.0.0.1:3306/test',
    });
    expect(redact('postgres://u@h/d')).toBe('postgres://u@h/d');
  });

  it('colours only a colour TTY without NO_COLOR, unless FORCE_COLOR', () => {
    const tty = { write: () => true, isTTY: true, hasColors: () => true };
    const pipe = { write: () => true };
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('formats ages and aligns tables', () => {
    expect([450, 12_000, 184_000, 7_500_000, 90_000_000].map(formatAge)).toEqual([
      '450ms',
      '12s',
      '3m 4s',
      '2h 5m',
      '1d 1h',
    ]);
    expect(
      formatTable([
        ['a', 'bb', 'c'],
        ['ccc', 'd', 'e'],
      ]),
    ).toEqual(['a    bb  c', 'ccc  d   e']);
  });
});
