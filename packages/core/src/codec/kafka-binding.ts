/**
 * The CloudEvents Kafka protocol binding, binary mode: attributes travel as `ce_<name>`
 * headers holding plain UTF-8 text, `datacontenttype` as `content-type`. Transports keep
 * `TransportMessage.headers` in core's one form (`ce-<name>`, percent-encoded values) and
 * call these two functions at the wire, so what the relay writes is what `Kafka.toEvent`
 * of the official SDK reads, and what `Kafka.binary` writes is what our consumer reads.
 */
import { encodeHeaderValue, plainHeaderValue } from './header-value.ts';

/** Core's headers as Kafka record headers. Other headers pass unchanged. */
export function toKafkaHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase().startsWith('ce-')) out[`ce_${name.slice(3)}`] = plainHeaderValue(value);
    else out[name] = value;
  }
  return out;
}

/** Kafka record headers (already text) as core's headers. */
export function fromKafkaHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase().startsWith('ce_')) out[`ce-${name.slice(3)}`] = encodeHeaderValue(value);
    else out[name] = value;
  }
  return out;
}
