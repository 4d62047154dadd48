import { ConfigurationError } from '@tidings/core';
import { describe, expect, it } from 'vitest';
import { resolveNatsOptions } from './options.ts';

describe('resolveNatsOptions', () => {
  it('uses the shared vocabulary with its defaults', () => {
    const resolved = resolveNatsOptions({});
    expect(resolved).toMatchObject({
      servers: ['nats://127.0.0.1:4222'],
      name: 'nats',
      prefix: 'tidings',
      stream: 'TIDINGS',
      maxDeliveries: 20,
      startFrom: 'earliest',
      partitions: 8,
      leaseTtlMs: 10_000,
    });
    expect(resolveNatsOptions({ connection: 'nats://a:4222, nats://b:4222' }).servers).toEqual([
      'nats://a:4222',
      'nats://b:4222',
    ]);
  });

  it('names the field, the value and the reason of a bad option', () => {
    const cases: [Parameters<typeof resolveNatsOptions>[0], RegExp][] = [
      [{ maxDeliveries: 0 }, /maxDeliveries is 0: pass an integer from 1/],
      [{ partitions: 1.5 }, /partitions is 1\.5: pass an integer from 1 to 1024/],
      [{ leaseTtlMs: 10 }, /leaseTtlMs is 10: pass an integer from 1000/],
      [{ startFrom: 'middle' as 'latest' }, /startFrom is "middle": pass "earliest" or "latest"/],
      [{ connection: ' , ' }, /connection is " , ": pass a server URL/],
      [
        { connection: 4222 as unknown as string },
        /connection is 4222: pass server URL\(s\) or an open NatsConnection/,
      ],
      [{ prefix: 'a b' }, /prefix "a b" is not a valid subject part/],
      [{ stream: 'A.B' }, /stream is "A\.B": use letters/],
    ];
    for (const [options, message] of cases) {
      expect(() => resolveNatsOptions(options)).toThrowError(ConfigurationError);
      expect(() => resolveNatsOptions(options)).toThrowError(message);
    }
  });
});
