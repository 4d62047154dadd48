/**
 * ISO-8601 text of a millisecond time, the last one kept: events created in one
 * millisecond, and messages read in one burst, share their millisecond (a broker's
 * timestamp, often only to the second), and formatting a date costs more than the rest of
 * an envelope. One entry, so it never grows.
 */
let lastMs = Number.NaN;
let lastText = '';

/** `new Date(ms).toISOString()`; throws the same RangeError for a time it cannot format. */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastText = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastText;
}
