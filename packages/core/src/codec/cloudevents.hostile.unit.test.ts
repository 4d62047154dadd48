/**
 * Hostile input: every malformed message becomes a typed DecodeError (never a TypeError,
 * never a hang) and nothing in it can reach `Object.prototype`.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DecodeError } from '../errors/errors.ts';
import { createCatalog } from '../event/catalog.ts';
import { defineEvent } from '../event/define-event.ts';
import { fromAmqpProperties, toAmqpProperties } from './amqp-binding.ts';
import {
  type BinaryMessage,
  decodeBinary,
  decodeMessage,
  decodeStructured,
  encodeBinary,
  encodeStructured,
} from './cloudevents.ts';
import { fromKafkaHeaders, toKafkaHeaders } from './kafka-binding.ts';
import { limits } from './raw-event.ts';

const Loose = defineEvent('Loose', { schema: z.record(z.string(), z.unknown()) });
const catalog = createCatalog([Loose]);

const valid = Loose.create(
  { note: 'ok' },
  { subject: { type: 'Order', id: 'o-1', sequence: 1 }, causationId: 'c-1', metadata: { tenant: 't' } },
);
const validCe = (): Record<string, unknown> => JSON.parse(encodeStructured(valid));
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

function decodeErrorOf(fn: () => unknown): DecodeError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  if (!DecodeError.is(caught)) throw new Error(`expected a DecodeError, got ${String(caught)}`);
  return caught;
}

function structuredWith(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...validCe(), ...changes });
}

afterEach(() => {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
});

describe('structured mode, hostile input', () => {
  it.each([
    ['specversion missing', { specversion: undefined }],
    ['specversion 0.3', { specversion: '0.3' }],
    ['specversion a number', { specversion: 1 }],
    ['source missing', { source: undefined }],
    ['id a number', { id: 12 }],
    ['id empty', { id: '' }],
    ['id an object', { id: { toString: 'x' } }],
    ['type missing', { type: undefined }],
    ['type an array', { type: ['Loose'] }],
    ['time not ISO', { time: 'Tuesday' }],
    ['time a number', { time: 1_700_000_000_000 }],
    ['time impossible', { time: '2026-13-45T99:00:00Z' }],
    ['dataversion 0', { dataversion: 0 }],
    ['dataversion fractional', { dataversion: 1.5 }],
    ['dataversion text', { dataversion: 'one' }],
    ['dataversion unsafe', { dataversion: 2 ** 60 }],
    ['subject a number', { subject: 5 }],
    ['subjectsequence negative', { subjectsequence: -1 }],
    ['subjectsequence boolean', { subjectsequence: true }],
    ['correlationid an object', { correlationid: {} }],
    ['causationid a number', { causationid: 3 }],
    ['causationid empty', { causationid: '' }],
    ['metadata not JSON', { metadata: '{nope' }],
    ['metadata an array', { metadata: '["a"]' }],
    ['metadata null', { metadata: 'null' }],
    ['metadata a raw object', { metadata: { a: 'b' } }],
    ['metadata with a number value', { metadata: '{"a":1}' }],
    ['traceparent a number', { traceparent: 7 }],
  ])('%s → DecodeError', (_name, changes) => {
    const error = decodeErrorOf(() => decodeStructured(structuredWith(changes)));
    expect(error.message).toMatch(/^Cannot decode event: /);
  });

  it('rejects strings over the field limit, with a short message', () => {
    const huge = 'x'.repeat(limits.maxFieldLength + 1);
    for (const field of ['id', 'type', 'subject', 'subjecttype', 'correlationid', 'causationid']) {
      const error = decodeErrorOf(() => decodeStructured(structuredWith({ [field]: huge })));
      expect(error.message.length).toBeLessThan(300);
    }
  });

  it('rejects a message over maxBytes before parsing it', () => {
    const big = structuredWith({ data: { blob: 'y'.repeat(2_000) } });
    expect(decodeErrorOf(() => decodeStructured(big, { maxBytes: 1_000 })).message).toMatch(/over the limit/);
    const bytes = new TextEncoder().encode(big);
    expect(decodeErrorOf(() => decodeStructured(bytes, { maxBytes: 1_000 })).message).toMatch(
      /over the limit/,
    );
  });

  it.each([
    ['truncated JSON', encodeStructured(valid).slice(0, -7)],
    ['empty input', ''],
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"event"'],
  ])('rejects %s', (_name, input) => {
    decodeErrorOf(() => decodeStructured(input));
  });

  it('rejects bytes that are not valid UTF-8', () => {
    const good = new TextEncoder().encode(encodeStructured(valid));
    const bad = new Uint8Array([...good.slice(0, 20), 0xc3, 0x28, 0xff, ...good.slice(20)]);
    expect(decodeErrorOf(() => decodeStructured(bad)).message).toMatch(/not valid UTF-8/);
  });

  it('does not let __proto__ or constructor keys reach any prototype', () => {
    const json = structuredWith({}).replace(
      /^\{/,
      '{"__proto__":{"polluted":true,"specversion":"1.0"},"constructor":{"prototype":{"polluted":true}},',
    );
    const raw = decodeStructured(json);
    expect(raw).toEqual(valid);
    const withProtoData = structuredWith({}).replace(
      '"data":{',
      '"data":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":1}},',
    );
    const event = catalog.decode(decodeStructured(withProtoData));
    expect(Object.getPrototypeOf(event.payload)).toBe(Object.prototype);
    expect((event.payload as Record<string, unknown>).polluted).toBeUndefined();
    const metadataJson = structuredWith({ metadata: '{"__proto__":"p","constructor":"c"}' });
    expect(decodeStructured(metadataJson).metadata).toEqual(
      Object.fromEntries([
        ['__proto__', 'p'],
        ['constructor', 'c'],
      ]),
    );
    decodeErrorOf(() => decodeStructured(structuredWith({ metadata: '{"__proto__":{"polluted":true}}' })));
  });

  it('does not take attributes from an inherited specversion', () => {
    decodeErrorOf(() =>
      decodeStructured(
        structuredWith({ specversion: undefined }).replace(/^\{/, '{"__proto__":{"specversion":"1.0"},'),
      ),
    );
  });

  it('never throws anything but DecodeError for arbitrary text or JSON', () => {
    const attempt = (input: string) => {
      try {
        decodeStructured(input);
      } catch (error) {
        if (!DecodeError.is(error)) throw error;
      }
    };
    fc.assert(fc.property(fc.string({ unit: 'binary' }), attempt), { numRuns: 200 });
    fc.assert(
      fc.property(fc.jsonValue(), (value) => attempt(JSON.stringify(value) ?? 'null')),
      { numRuns: 200 },
    );
    const keys = [
      'specversion',
      'id',
      'source',
      'type',
      'time',
      'subject',
      'subjecttype',
      'sequence',
      'subjectsequence',
      'dataversion',
      'correlationid',
      'causationid',
      'metadata',
      'traceparent',
      'data',
      '__proto__',
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 2 })), (fields) =>
        attempt(JSON.stringify({ ...validCe(), ...fields })),
      ),
      { numRuns: 300 },
    );
  });
});

describe('binary mode, hostile input', () => {
  const validMessage = (): { headers: Record<string, string>; body: Uint8Array } => {
    const { headers, body } = encodeBinary(valid);
    return { headers: { ...headers }, body };
  };

  it.each([
    ['no headers', { body: new Uint8Array() }],
    ['null headers', { headers: null, body: new Uint8Array() }],
    ['null message', null],
    ['a string', 'ce-id: 1'],
  ])('rejects %s', (_name, message) => {
    decodeErrorOf(() => decodeBinary(message as unknown as BinaryMessage));
  });

  it('rejects a body that is not bytes, not UTF-8, not JSON or too large', () => {
    const message = validMessage();
    decodeErrorOf(() => decodeBinary({ ...message, body: '{"a":1}' as unknown as Uint8Array }));
    decodeErrorOf(() => decodeBinary({ ...message, body: new Uint8Array([0x7b, 0xff, 0x7d]) }));
    decodeErrorOf(() => decodeBinary({ ...message, body: new TextEncoder().encode('{"a":') }));
    decodeErrorOf(() => decodeBinary(message, { maxBytes: 2 }));
  });

  it.each([
    ['ce-specversion', undefined],
    ['ce-specversion', '0.3'],
    ['ce-id', ''],
    ['ce-time', 'soon'],
    ['ce-dataversion', 'x'],
    ['ce-dataversion', '99999999999999999999'],
    ['ce-subjectsequence', '-3'],
    ['ce-metadata', '%7Bbroken'],
    ['ce-id', '%E0%A4%A'],
    ['ce-id', '%FF'],
    ['ce-type', 'x'.repeat(limits.maxFieldLength + 1)],
  ])('rejects header %s = %s', (name, value) => {
    const message = validMessage();
    if (value === undefined) delete message.headers[name];
    else message.headers[name] = value;
    decodeErrorOf(() => decodeBinary(message));
  });

  it('ignores non-string header values instead of crashing on them', () => {
    const message = validMessage();
    const headers: Record<string, unknown> = { ...message.headers, 'ce-specversion': 1 };
    decodeErrorOf(() => decodeBinary({ headers: headers as Record<string, string>, body: message.body }));
  });

  it('does not let ce-__proto__ or ce-constructor headers reach any prototype', () => {
    const message = validMessage();
    const headers = Object.fromEntries([
      ...Object.entries(message.headers),
      ['ce-__proto__', '%7B%22polluted%22%3Atrue%7D'],
      ['__proto__', 'x'],
      ['ce-constructor', 'x'],
      ['CE-__PROTO__', 'y'],
    ]);
    expect(decodeBinary({ headers, body: message.body })).toEqual(valid);
    const protoBody = new TextEncoder().encode('{"__proto__":{"polluted":true}}');
    const event = catalog.decode(decodeBinary({ headers: message.headers, body: protoBody }));
    expect(Object.getPrototypeOf(event.payload)).toBe(Object.prototype);
  });
});

describe('either mode, and the binding header maps, hostile input', () => {
  const names = [
    'content-type',
    'Content-Type',
    'ce-specversion',
    'CE-ID',
    'ce-type',
    'ce-source',
    'ce_time',
    'x',
  ];

  it('decodeMessage returns a RawEvent or throws DecodeError, whatever the headers and body', () => {
    const attempt = (headers: Record<string, string>, body: Uint8Array) => {
      try {
        decodeMessage({ headers, body });
      } catch (error) {
        if (!DecodeError.is(error)) throw error;
      }
    };
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), fc.string()),
        fc.uint8Array({ maxLength: 64 }),
        attempt,
      ),
      { numRuns: 300 },
    );
    const structured = new TextEncoder().encode(encodeStructured(valid));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.string()), (headers) =>
        attempt(headers, structured),
      ),
      { numRuns: 200 },
    );
  });

  it('the Kafka and AMQP header maps never throw on any text', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string({ unit: 'binary' })), (headers) => {
        fromKafkaHeaders(toKafkaHeaders(headers));
        const amqp = toAmqpProperties(headers);
        fromAmqpProperties(amqp.headers, amqp.contentType);
      }),
      { numRuns: 300 },
    );
  });
});
