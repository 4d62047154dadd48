/**
 * NUL and other control characters in envelope strings are refused at decode, in both
 * modes, with the field and the character in the reason; printable text (any script,
 * emoji) still passes.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DecodeError } from '../errors/errors.ts';
import { defineEvent } from '../event/define-event.ts';
import { decodeBinary, decodeStructured, encodeBinary, encodeStructured } from './cloudevents.ts';

const Loose = defineEvent('Loose', { schema: z.record(z.string(), z.unknown()) });
const valid = Loose.create(
  { note: 'ok' },
  { subject: { type: 'Order', id: 'o-1', sequence: 1 }, causationId: 'c-1', metadata: { tenant: 't' } },
);

function reasonOf(decode: () => unknown): string {
  try {
    decode();
  } catch (error) {
    if (DecodeError.is(error)) return error.message;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

const fields = ['id', 'type', 'source', 'subject', 'subjecttype', 'correlationid', 'causationid'];

describe('control characters in envelope strings', () => {
  it.each([
    ['NUL', '\u0000'],
    ['BEL', '\u0007'],
    ['LF', '\n'],
    ['ESC', '\u001b'],
    ['DEL', '\u007f'],
    ['NEL (C1)', '\u0085'],
  ])('refuses %s in every field', (_name, bad) => {
    const code = `U+${(bad.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    for (const field of fields) {
      const structured = { ...JSON.parse(encodeStructured(valid)), [field]: `a${bad}b` };
      expect(reasonOf(() => decodeStructured(JSON.stringify(structured)))).toMatch(
        new RegExp(
          `^Cannot decode event: \\w[\\w.]* contains the control character ${code.replace('+', '\\+')} at index 1`,
        ),
      );
      const { headers, body } = encodeBinary(valid);
      expect(
        reasonOf(() => decodeBinary({ headers: { ...headers, [`ce-${field}`]: `a${bad}b` }, body })),
      ).toContain(code);
    }
  });

  it('refuses them in metadata keys and values', () => {
    for (const metadata of ['{"te\\u0000nant":"t"}', '{"tenant":"t\\u0000"}', '{"tenant":"\\u001b[31m"}']) {
      const structured = { ...JSON.parse(encodeStructured(valid)), metadata };
      expect(reasonOf(() => decodeStructured(JSON.stringify(structured)))).toMatch(
        /metadata.* control character/,
      );
    }
  });

  it('lets printable text of any script through', () => {
    const event = Loose.create(
      {},
      { subject: { type: 'Bestellung', id: 'ö-日本-🚀' }, metadata: { clé: 'valeur\u00a0à' } },
    );
    expect(decodeStructured(encodeStructured(event))).toMatchObject({
      subject: { id: 'ö-日本-🚀' },
      metadata: { clé: 'valeur\u00a0à' },
    });
  });
});
