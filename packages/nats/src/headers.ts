/**
 * Carries a Tidings message's headers, key and id in NATS headers and reads them back.
 * The id travels as `Nats-Msg-Id` (JetStream's dedup key) unless the dedup key differs
 * from it (dead letters), then as `tidings-id`; the key travels as `tidings-key`.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { type MsgHdrs, headers as natsHeaders } from '@nats-io/transport-node';

export const keyHeader = 'tidings-key';
export const msgIdHeader = 'Nats-Msg-Id';
export const idHeader = 'tidings-id';
/** Names the chunk messages of a body too large for one NATS message (see chunks.ts). */
export const chunksHeader = 'tidings-chunks';

export function toNatsHeaders(values: Readonly<Record<string, string>>, key: string): MsgHdrs {
  const result = natsHeaders();
  for (const [name, value] of Object.entries(values)) result.set(name, value);
  result.set(keyHeader, key);
  return result;
}

/** Headers as the handler sees them: the transport's own (`Nats-Msg-Id`, `tidings-*`) removed. */
/** A delivery's headers split into the handler's and the transport's own. */
export interface NatsHeaders {
  readonly headers: Record<string, string>;
  readonly key: string;
  readonly id: string;
  readonly chunks: string | undefined;
}

export function fromNatsHeaders(values: MsgHdrs | undefined): NatsHeaders {
  const headers: Record<string, string> = {};
  let key = '';
  let msgId = '';
  let id: string | undefined;
  let chunks: string | undefined;
  if (values) {
    for (const [name, list] of values) {
      const value = list[0] ?? '';
      if (name === keyHeader) key = value;
      else if (name === msgIdHeader) msgId = value;
      else if (name === idHeader) id = value;
      else if (name === chunksHeader) chunks = value;
      else headers[name] = value;
    }
  }
  return { headers, key, id: id ?? msgId, chunks };
}

/** The parts of nats-core's message a header block is read from (not its public API). */
interface RawNatsMsg {
  readonly _msg?: { readonly hdr?: number };
  readonly _rdata?: Uint8Array;
}

const utf8 = new TextDecoder();

/**
 * `fromNatsHeaders(msg.headers)` without building nats-core's header map: its decode
 * canonicalises and searches every key as it appends it, ~10 % of a consumer's CPU on
 * CloudEvents' dozen headers. Reads the header block the way nats-core does (first line the
 * status, then `name: value` lines, values trimmed, the first value of a repeated name),
 * and hands anything it does not read the same way (a name outside printable ASCII, which
 * nats-core refuses, or a message without the fields it reads) to nats-core.
 */
export function readNatsHeaders(msg: JsMsg): NatsHeaders {
  const inner = (msg as unknown as { readonly msg?: RawNatsMsg }).msg;
  const length = inner?._msg?.hdr;
  const data = inner?._rdata;
  if (typeof length !== 'number' || !(data instanceof Uint8Array)) return fromNatsHeaders(msg.headers);
  if (length < 0) return fromNatsHeaders(undefined);
  const lines = utf8.decode(data.subarray(0, length)).split('\r\n');
  const headers: Record<string, string> = {};
  let key: string | undefined;
  let msgId: string | undefined;
  let id: string | undefined;
  let chunks: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    // A lone CR or LF in a line: nats-core refuses the value.
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) return fromNatsHeaders(msg.headers);
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon);
    for (let c = 0; c < name.length; c++) {
      const code = name.charCodeAt(c);
      if (code < 33 || code > 126) return fromNatsHeaders(msg.headers);
    }
    const value = line.slice(colon + 1).trim();
    // A repeated name keeps its first value, as `fromNatsHeaders` does.
    if (name === keyHeader) key ??= value;
    else if (name === msgIdHeader) msgId ??= value;
    else if (name === idHeader) id ??= value;
    else if (name === chunksHeader) chunks ??= value;
    else if (!Object.hasOwn(headers, name)) headers[name] = value;
  }
  return { headers, key: key ?? '', id: id ?? msgId ?? '', chunks };
}
