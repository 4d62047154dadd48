/** Option validation: bad identifiers and options fail at once with ConfigurationError naming the value. */
import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { createMysqlOutboxStore } from './mysql-outbox-store.ts';
import { resolveOptions } from './options.ts';

const uri = 'mysql://nobody@127.0.0.1:1/none';

function configurationError(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    expect(ConfigurationError.is(error)).toBe(true);
    return error as ConfigurationError;
  }
  throw new Error('expected a ConfigurationError');
}

describe('resolveOptions', () => {
  it.each(['bad-name', 'x`; DROP TABLE users; --', '1abc', '', 'a'.repeat(65), 'ünicode'])(
    'rejects database %j, naming it',
    (database) => {
      const error = configurationError(() => createMysqlOutboxStore({ uri, database }));
      expect(error.message).toContain(JSON.stringify(database).slice(0, 40));
      expect(error.message).toContain('database');
    },
  );

  it.each(['a-b', 'has space', '9lives', 'p'.repeat(33)])('rejects tablePrefix %j', (tablePrefix) => {
    const error = configurationError(() => resolveOptions({ uri, tablePrefix }));
    expect(error.message).toContain('tablePrefix');
  });

  it('needs exactly one of pool and uri, and a MySQL URL', () => {
    expect(configurationError(() => resolveOptions({})).message).toContain('neither');
    const pool = {} as never;
    expect(configurationError(() => resolveOptions({ pool, uri })).message).toContain('both');
    expect(configurationError(() => resolveOptions({ uri: 'postgres://x@h/db' })).message).toContain(
      'not a MySQL URL',
    );
  });

  it('rejects a pool that is not a mysql2 pool, and bad clock or autoMigrate values', () => {
    expect(configurationError(() => createMysqlOutboxStore({ pool: {} as never })).message).toContain(
      'not a mysql2 pool',
    );
    expect(configurationError(() => resolveOptions({ uri, clock: 5 as never })).message).toContain('clock');
    expect(configurationError(() => resolveOptions({ uri, autoMigrate: 'no' as never })).message).toContain(
      'autoMigrate',
    );
  });

  it('quotes names, qualifies them with the database when given, and keeps the lock name within 64', () => {
    const { names } = resolveOptions({ uri, database: 'Billing', tablePrefix: '' });
    expect(names.events).toBe('`Billing`.`events`');
    expect(resolveOptions({ uri }).names.deliveries).toBe('`tidings_deliveries`');
    const long = resolveOptions({ uri, database: 'd'.repeat(64), tablePrefix: 'p'.repeat(32) });
    expect(long.names.lockName('ignored').length).toBeLessThanOrEqual(64);
    // Without a database option the lock follows the connection's current database.
    const plain = resolveOptions({ uri }).names;
    expect(plain.lockName('one')).not.toBe(plain.lockName('two'));
  });
});
