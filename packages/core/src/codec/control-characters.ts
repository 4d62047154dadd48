/**
 * Envelope strings (ids, type, source, subject, correlation and causation ids, metadata keys
 * and values) come from other processes and end up in SQL text columns, headers and logs.
 * NUL and the other control characters (C0, DEL, C1) have no business there: PostgreSQL
 * refuses NUL in text, headers cannot carry line breaks, terminals obey escape codes. So a
 * message carrying one is refused at decode, with the field and the character named.
 */
import { DecodeError } from '../errors/errors.ts';

// C0 controls (tab, line breaks and NUL included), DEL, and the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Throws `DecodeError` when `value` holds a control character; `field` names it in the message. */
export function rejectControlCharacters(value: string, field: string): void {
  const found = controlCharacter.exec(value);
  if (!found) return;
  const code = `U+${(found[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  throw new DecodeError(
    `Cannot decode event: ${field} contains the control character ${code} at index ${found.index}; envelope strings must be printable text.`,
    { details: { field, reason: 'control character', character: code, index: found.index } },
  );
}
