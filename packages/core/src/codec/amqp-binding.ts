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
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-type') contentType = value;
    else if (lower.startsWith('ce-')) out[`${prefix}${name.slice(3)}`] = plainHeaderValue(value);
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
