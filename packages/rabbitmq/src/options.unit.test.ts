/**
 * Option and subscribe-request validation: a bad value fails at creation with a
 * ConfigurationError naming the field, the value and the reason; defaults are the shared ones.
 */
import { ConfigurationError } from '@tidings/core';
import { checkSubscribeRequest } from '@tidings/core/spi';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from './options.ts';

function failure(run: () => unknown): ConfigurationError {
  try {
    run();
  } catch (error) {
    if (ConfigurationError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigurationError');
}

describe('RabbitMQ options', () => {
  it('defaults to the shared vocabulary', () => {
    const resolved = resolveOptions({});
    expect(resolved).toMatchObject({
      url: 'amqp://guest:guest@127.0.0.1:5672',
      exchange: 'tidings',
      maxDeliveries: 20,
      name: 'rabbitmq',
    });
    expect(typeof resolved.onError).toBe('function');
  });

  it.each([
    [{ maxDeliveries: 0 }, /maxDeliveries is 0: it must be a whole number from 1/],
    [{ maxDeliveries: 2.5 }, /maxDeliveries is 2\.5/],
    [{ connection: 'http://mq:5672' }, /connection is "http:\/\/mq:5672": pass an amqp:\/\//],
    [{ prefix: '' }, /prefix is "": it names the exchange/],
    [{ startFrom: 'earliest' as const }, /startFrom is "earliest": RabbitMQ keeps no history/],
    [{ queueType: 'stream' as never }, /queueType is "stream"/],
    [{ prefetch: -1 }, /prefetch is -1/],
  ])('refuses %o', (options, message) => {
    expect(failure(() => resolveOptions(options)).message).toMatch(message);
  });

  it('never prints the password of a refused URL', () => {
    expect(failure(() => resolveOptions({ connection: 'amqq://u:hunter2@mq' })).message).not.toMatch(
      /hunter2/,
    );
  });

  it.each([
    [{ group: '', topics: ['a'] }, /group is "": pass a non-empty/],
    [{ group: 'g', topics: [] }, /topics is \[\]: group "g" must subscribe/],
    [{ group: 'g', topics: [''] }, /every topic must be a non-empty string/],
    [{ group: 'g', topics: ['a'], concurrency: 0 }, /concurrency is 0: it must be a whole number/],
  ])('refuses the subscribe request %o', (request, message) => {
    expect(failure(() => checkSubscribeRequest(request)).message).toMatch(message);
  });
});
