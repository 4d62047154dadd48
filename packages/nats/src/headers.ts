/**
 * Carries a Tidings message's headers, key and id in NATS headers and reads them back.
 * The id travels as `Nats-Msg-Id` (JetStream's dedup key) unless the dedup key differs
 * from it (dead letters), then as `tidings-id`; the key travels as `tidings-key`.
 */
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
