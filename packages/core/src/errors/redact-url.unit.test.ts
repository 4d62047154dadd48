/** Printing a connection URL never prints its password, however the URL is written. */
import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.ts';

describe('redactUrl', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/shop', 'postgres://app@db:5432/shop'],
    ['postgres://app@db:5432/shop?password=s3cret&sslmode=require', 'postgres://app@db:5432/shop'],
    ['postgres://:s3cret@/test', 'postgres:///test'],
    ['postgres://app@/shop?host=/run/postgresql&password=s3cret', 'postgres:///shop'],
    ['amqp://guest:s3/cret@rabbit:5672/vhost', 'amqp://rabbit:5672/vhost'],
    ['amqp://guest:s3@cr/et@rabbit/vhost', 'amqp://rabbit/vhost'],
    ['amqp://guest:s3@cret@rabbit/vhost', 'amqp://guest@rabbit/vhost'],
    ['nats://token:s3cret@127.0.0.1:4222', 'nats://token@127.0.0.1:4222'],
    ['redis://:s3cret@127.0.0.1:6379/0', 'redis://127.0.0.1:6379/0'],
    ['user:s3cret@127.0.0.1:4222', '127.0.0.1:4222'],
    ['127.0.0.1:4222', '127.0.0.1:4222'],
    ['postgres://db/shop#s3cret', 'postgres://db/shop'],
  ])('prints %s as %s', (url, printed) => {
    expect(redactUrl(url)).toBe(printed);
    expect(redactUrl(url)).not.toContain('s3');
  });
});
