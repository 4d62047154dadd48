import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import { currentInstrumentation, setInstrumentation } from './hooks.ts';
import { serverAttributes } from './messaging.ts';

const Pinged = defineEvent('Pinged', { schema: z.object({}) });
let uninstall: (() => void) | undefined;
afterEach(() => uninstall?.());

describe('instrumentation hooks', () => {
  it('gives new events default metadata that explicit metadata overrides', () => {
    const asked: string[] = [];
    uninstall = setInstrumentation({
      metadataForNewEvent: (type) => {
        asked.push(type);
        return { traceparent: 'from-hook', tenant: 'acme' };
      },
    });
    expect(Pinged.create({}).metadata).toEqual({ traceparent: 'from-hook', tenant: 'acme' });
    expect(Pinged.create({}, { metadata: { tenant: 'other' } }).metadata).toEqual({
      traceparent: 'from-hook',
      tenant: 'other',
    });
    expect(asked).toEqual(['Pinged', 'Pinged']);
  });

  it('uninstalls back to the previous instrumentation, and to none', () => {
    const first = {};
    const second = {};
    const removeFirst = setInstrumentation(first);
    const removeSecond = setInstrumentation(second);
    expect(currentInstrumentation()).toBe(second);
    removeSecond();
    expect(currentInstrumentation()).toBe(first);
    removeFirst();
    expect(currentInstrumentation()).toBeUndefined();
    expect(Pinged.create({}).metadata).toEqual({});
  });
});

describe('server attributes for transport telemetry', () => {
  it('reads host and port from an address or URL, never credentials', () => {
    expect(serverAttributes('amqp://guest:secret@mq.internal:5673/vhost', 5672)).toEqual({
      'server.address': 'mq.internal',
      'server.port': 5673,
    });
    expect(serverAttributes('127.0.0.1:9092')).toEqual({
      'server.address': '127.0.0.1',
      'server.port': 9092,
    });
    expect(serverAttributes('[::1]:6379')).toEqual({ 'server.address': '::1', 'server.port': 6379 });
    expect(serverAttributes('nats://demo.nats.io', 4222)).toEqual({
      'server.address': 'demo.nats.io',
      'server.port': 4222,
    });
    expect(serverAttributes('not a url at all')).toEqual({});
    expect(serverAttributes(undefined)).toEqual({});
  });
});
