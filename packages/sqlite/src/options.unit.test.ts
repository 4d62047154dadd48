import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';

describe('resolveOptions', () => {
  it('defaults the prefix, clock, busy timeout, checkpoint mode and error reporter', () => {
    expect(resolveOptions({ filename: 'x.db' })).toEqual({
      tablePrefix: 'tidings_',
      clock: Date.now,
      busyTimeoutMs: 5000,
      checkpoint: 'background',
      onError: expect.any(Function),
    });
  });

  it.each(['', 'app_', '_x', 'A1_b2'])('accepts table prefix %j', (tablePrefix) => {
    expect(resolveOptions({ filename: 'x.db', tablePrefix }).tablePrefix).toBe(tablePrefix);
  });

  it.each(['my-app', '9lives', 'a b', '"quoted"', 'x;--'])(
    'rejects table prefix %j naming it',
    (tablePrefix) => {
      expect(() => resolveOptions({ filename: 'x.db', tablePrefix })).toThrow(ConfigurationError);
      expect(() => resolveOptions({ filename: 'x.db', tablePrefix })).toThrow(JSON.stringify(tablePrefix));
    },
  );

  it('rejects a clock that is not a function and a negative busy timeout', () => {
    expect(() => resolveOptions({ filename: 'x.db', clock: 5 as never })).toThrow(/clock must be a function/);
    expect(() => resolveOptions({ filename: 'x.db', busyTimeoutMs: -1 })).toThrow(/busyTimeoutMs/);
  });

  it('rejects an onError that is not a function', () => {
    expect(() => resolveOptions({ filename: 'x.db', onError: 'log' as never })).toThrow(
      /onError must be a function; got "log"/,
    );
  });
});
