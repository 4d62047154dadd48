/**
 * CloudEvents attribute values in headers, as the HTTP binding writes them and as
 * `TransportMessage.headers` holds them: printable ASCII except `"` and `%` passes, every
 * other byte is percent-encoded. Bindings that carry any UTF-8 text (Kafka, AMQP) decode on
 * the way out and encode on the way in, so one form travels through core.
 */
import { DecodeError } from '../errors/errors.ts';

const encoder = new TextEncoder();
/** Any character that must be percent-encoded: outside printable ASCII, or `"` or `%`. */
const needsEncoding = /[^\x21\x23\x24\x26-\x7e]/;

export function encodeHeaderValue(value: string): string {
  // Ids, types, sources and times are printable ASCII: nothing to encode, no bytes to build.
  if (!needsEncoding.test(value)) return value;
  let out = '';
  for (const byte of encoder.encode(value)) {
    out +=
      byte > 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function decodeHeaderValue(value: string, name: string): string {
  // Without a `%` there is nothing to decode (and nothing malformed): most values, every message.
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new DecodeError(`Cannot decode event: header ${name} is not valid percent-encoding.`, {
      details: { field: name },
    });
  }
}

/**
 * The text a percent-encoded value stands for, or the value itself when it is not valid
 * percent-encoding (a foreign producer's raw `100%`), so mapping to a binding never fails.
 */
export function plainHeaderValue(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
