/**
 * The CloudEvents AMQP protocol binding, binary mode: attributes travel as application
 * properties `cloudEvents_<name>` (amqplib: the message `headers` table) holding plain
 * text, `datacontenttype` as the AMQP `content-type` property. Both prefixes the spec
 * allows are read (`cloudEvents_` and `cloudEvents:`). Core keeps `ce-<name>` headers with
 * percent-encoded values; the RabbitMQ transport maps at the wire with these two functions.
 */
import { encodeHeaderValue, plainHeaderValue } from './header-value.ts';

/** What the binding puts on an AMQP message. */
export interface AmqpCloudEventProperties {
  readonly headers: Record<string, string>;
  readonly contentType: string | undefined;
}

const prefix = 'cloudEvents_';
const readPrefix = /^cloudevents[_:]/i;

/** Core's headers as AMQP application properties and content type. Other headers pass unchanged. */
export function toAmqpProperties(headers: Readonly<Record<string, string>>): AmqpCloudEventProperties {
  const out: Record<string, string> = {};
  let contentType: string | undefined;
  for (const name in headers) {
    if (!Object.hasOwn(headers, name)) continue;
    const value = headers[name] as string;
    // `ce-` in any case, read from the character codes: lower-casing every name was a
    // tenth of this mapping.
    if (
      name.length >= 3 &&
      (name.charCodeAt(0) | 0x20) === 0x63 &&
      (name.charCodeAt(1) | 0x20) === 0x65 &&
      name.charCodeAt(2) === 0x2d
    )
      out[prefix + name.slice(3)] = plainHeaderValue(value);
    else if (name.length === 12 && name.toLowerCase() === 'content-type') contentType = value;
    else out[name] = value;
  }
  return { headers: out, contentType };
}

/** AMQP application properties (as text) and content type back as core's headers. */
export function fromAmqpProperties(
  headers: Readonly<Record<string, string>>,
  contentType: string | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (readPrefix.test(name)) out[`ce-${name.slice(prefix.length)}`] = encodeHeaderValue(value);
    else out[name] = value;
  }
  if (contentType !== undefined) out['content-type'] = contentType;
  return out;
}
