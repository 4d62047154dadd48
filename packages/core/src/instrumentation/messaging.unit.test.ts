import { describe, expect, it } from 'vitest';
import { createDeliveryNotes } from './delivery-notes.ts';
import { serverAttributes } from './messaging.ts';

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

describe('delivery notes', () => {
  it('keeps facts beside a message object, not in it', () => {
    const notes = createDeliveryNotes();
    const message = { id: 'e-1' };
    expect(notes.note(message, { 'messaging.kafka.offset': 7 })).toBe(message);
    expect(notes.of(message)).toEqual({ 'messaging.kafka.offset': 7 });
    expect(notes.of({ id: 'e-1' })).toEqual({});
    expect(Object.keys(message)).toEqual(['id']);
  });
});
