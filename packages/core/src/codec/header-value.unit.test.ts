import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHeaderValue, encodeHeaderValue, plainHeaderValue } from './header-value.ts';

/** The byte-by-byte definition the fast paths must agree with. */
function reference(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('header values', () => {
  it('encode exactly as the byte-by-byte definition, printable ASCII or not', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })),
        (value) => {
          expect(encodeHeaderValue(value)).toBe(reference(value));
        },
      ),
    );
    for (const value of ['a b', 'say "hi"', '100%', 'tab\there', 'ü', '~!#$&']) {
      expect(encodeHeaderValue(value)).toBe(reference(value));
    }
  });

  it('round-trip well-formed text, and plain values pass through unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (value) => {
        const encoded = encodeHeaderValue(value);
        expect(decodeHeaderValue(encoded, 'ce-x')).toBe(value);
        expect(plainHeaderValue(encoded)).toBe(value);
      }),
    );
    expect(plainHeaderValue('100%')).toBe('100%');
    expect(() => decodeHeaderValue('100%', 'ce-x')).toThrow(/ce-x is not valid percent-encoding/);
  });
});
