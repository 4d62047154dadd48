import type { PublishBatchInfo, TransportMessage, TransportTelemetry } from '@tidings/core/spi';
import { describe, expect, it } from 'vitest';
import { receiveAttributes, sendAttributes } from './messaging-attributes.ts';

const message = (topic: string, key: string): TransportMessage => ({
  id: `id-${key}`,
  topic,
  key,
  headers: {},
  body: new Uint8Array(),
});

const telemetry: TransportTelemetry = {
  send: (m) => ({
    'messaging.system': 'kafka',
    'messaging.destination.name': m.topic,
    'messaging.kafka.message.key': m.key,
  }),
  receive: (m) => ({
    'messaging.system': 'kafka',
    'messaging.destination.name': m.topic,
    'messaging.kafka.offset': 7,
  }),
};

const batch = (messages: TransportMessage[], withTelemetry = true): PublishBatchInfo => ({
  route: 'broker',
  transport: 'custom',
  events: [],
  messages,
  ...(withTelemetry ? { telemetry } : {}),
});

describe('messaging attributes of a send', () => {
  it('keeps what every message of the batch shares, and always the system', () => {
    expect(sendAttributes(batch([message('a', 'k1'), message('a', 'k2')]))).toEqual({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'a',
    });
    expect(sendAttributes(batch([message('a', 'k1'), message('b', 'k1')]))).toEqual({
      'messaging.system': 'kafka',
      'messaging.kafka.message.key': 'k1',
    });
  });

  it('falls back to the transport name and the topic without telemetry', () => {
    expect(sendAttributes(batch([message('a', 'k1')], false))).toEqual({
      'messaging.system': 'custom',
      'messaging.destination.name': 'a',
    });
  });
});

describe('messaging attributes of a delivery', () => {
  it('adds the consumer group to what the transport says', () => {
    const delivered = { ...message('a', 'k1'), deliveryCount: 1 };
    expect(receiveAttributes({ transport: 'kafka', telemetry, group: 'g', message: delivered })).toEqual({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'a',
      'messaging.kafka.offset': 7,
      'messaging.consumer.group.name': 'g',
    });
    expect(receiveAttributes({ transport: 'memory', group: 'g', message: delivered })).toEqual({
      'messaging.system': 'memory',
      'messaging.destination.name': 'a',
      'messaging.consumer.group.name': 'g',
    });
  });
});
