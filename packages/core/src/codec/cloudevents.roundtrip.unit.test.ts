/**
 * Property: for ANY valid event, both CloudEvents modes give back the same envelope, and
 * the catalog turns it back into an equal event. Valid means what `create()` accepts and
 * the decoder's limits allow: non-empty ids of at most 1,024 characters, well-formed
 * Unicode (a lone surrogate cannot be encoded as UTF-8, so it cannot cross a wire) and no
 * control characters in envelope strings (refused at decode, see control-characters.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCatalog } from '../event/catalog.ts';
import { type CreateEventOptions, defineEvent } from '../event/define-event.ts';
import type { AnyDomainEvent } from '../event/envelope.ts';
import {
  decodeBinary,
  decodeStructured,
  encodeBinary,
  encodeStructured,
  isBinaryCloudEvent,
} from './cloudevents.ts';

const Anything = defineEvent('test.Anything-v:1', {
  schema: z.unknown(),
  version: 2,
  upcasters: { 1: (p) => p },
});
const catalog = createCatalog([Anything]);

// biome-ignore lint/suspicious/noControlCharactersInRegex: shifting them out of the way
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/g;
// Any code point but the control characters, shifted to printable ones of the same length.
const text = (minLength: number, maxLength: number) =>
  fc
    .string({ unit: 'binary', minLength, maxLength })
    .map((value) => value.replace(controlCharacter, (c) => String.fromCharCode(c.charCodeAt(0) + 0x100)));
const id = text(1, 60);

// JSON has no -0: it arrives as 0, so generated payloads are normalised to what JSON can carry.
const payload = fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.parse(JSON.stringify(value)) as unknown);

const metadata = fc.dictionary(
  fc.oneof(text(0, 20), fc.constantFrom('traceparent', 'tracestate', '__proto__', 'constructor', 'metadata')),
  text(0, 40),
  { maxKeys: 6 },
);

const options: fc.Arbitrary<CreateEventOptions> = fc.record(
  {
    id,
    occurredAt: fc.date({
      min: new Date('1970-01-01T00:00:00.000Z'),
      max: new Date('9999-12-31T23:59:59.999Z'),
      noInvalidDate: true,
    }),
    subject: fc.record(
      { type: id, id, sequence: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) },
      { requiredKeys: ['type', 'id'] },
    ),
    correlationId: id,
    causationId: id,
    metadata,
  },
  { requiredKeys: [] },
);

const anyEvent: fc.Arbitrary<AnyDomainEvent> = fc
  .tuple(payload, options)
  .map(([data, createOptions]) => Anything.create(data, createOptions));

describe('CloudEvents round trip', () => {
  it('structured mode gives back the same envelope', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const raw = decodeStructured(encodeStructured(event));
        expect(raw).toEqual(event);
        expect(catalog.decode(raw)).toEqual(event);
      }),
      { numRuns: 300 },
    );
  });

  it('structured mode also decodes from UTF-8 bytes', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const bytes = new TextEncoder().encode(encodeStructured(event));
        expect(decodeStructured(bytes)).toEqual(event);
      }),
      { numRuns: 100 },
    );
  });

  it('binary mode gives back the same envelope, with header-safe values', () => {
    fc.assert(
      fc.property(anyEvent, (event) => {
        const message = encodeBinary(event);
        expect(isBinaryCloudEvent(message.headers)).toBe(true);
        for (const value of Object.values(message.headers)) expect(value).toMatch(/^[\x21-\x7e]*$/);
        const raw = decodeBinary(message);
        expect(raw).toEqual(event);
        expect(catalog.decode(raw)).toEqual(event);
      }),
      { numRuns: 300 },
    );
  });

  it('binary mode matches header names case-insensitively', () => {
    const event = Anything.create({ a: 1 }, { subject: { type: 'Order', id: 'ö-1', sequence: 2 } });
    const { headers, body } = encodeBinary(event);
    const shouted = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(decodeBinary({ headers: shouted, body })).toEqual(event);
  });

  it('keeps metadata keys that are special in JavaScript', () => {
    const metadata = Object.fromEntries([
      ['__proto__', 'p'],
      ['constructor', 'c'],
      ['traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'],
    ]);
    const event = Anything.create(null, { metadata });
    expect(Object.keys(decodeStructured(encodeStructured(event)).metadata).sort()).toEqual(
      ['__proto__', 'constructor', 'traceparent'].sort(),
    );
    expect(decodeBinary(encodeBinary(event))).toEqual(event);
  });
});
