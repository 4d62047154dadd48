/**
 * `readNatsHeaders` reads a delivery's header block itself instead of through nats-core's
 * header map; for every block it must give what `fromNatsHeaders(msg.headers)` gives, and
 * refuse (by handing it to nats-core, which throws) what nats-core refuses.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { MsgHdrsImpl } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { fromNatsHeaders, readNatsHeaders } from './headers.ts';

/** A delivery as nats-core holds it: the raw block before the body, its headers decoded lazily. */
function delivery(block: string | undefined, body = '{"x":1}'): JsMsg {
  const head = block === undefined ? new Uint8Array(0) : new TextEncoder().encode(block);
  const data = new Uint8Array([...head, ...new TextEncoder().encode(body)]);
  const hdr = block === undefined ? -1 : head.length;
  const inner = {
    _msg: { hdr },
    _rdata: data,
    get headers() {
      return hdr < 0 ? undefined : MsgHdrsImpl.decode(data.subarray(0, hdr));
    },
  };
  return {
    msg: inner,
    get headers() {
      return inner.headers;
    },
  } as unknown as JsMsg;
}

const blocks: Record<string, string | undefined> = {
  none: undefined,
  'CloudEvents binary mode': [
    'NATS/1.0',
    'ce-specversion: 1.0',
    'ce-id: 0192a0b0-0000-7000-8000-000000000001',
    'ce-type: OrderPlaced',
    'ce-source: /shop',
    'Nats-Msg-Id: 0192a0b0-0000-7000-8000-000000000001',
    'tidings-key: Order:o-1',
    'content-type: application/json',
    '',
    '',
  ].join('\r\n'),
  'a status line, padded values, a line without a colon': [
    'NATS/1.0 100 Idle Heartbeat',
    'ce-id:   spaced   ',
    'no colon here',
    'ce-type:',
    'tidings-id: other-id',
    '',
    '',
  ].join('\r\n'),
  'repeated names keep their first value': [
    'NATS/1.0',
    'ce-id: first',
    'ce-id: second',
    'tidings-key: k-1',
    'tidings-key: k-2',
    'Ce-Id: other case',
    '',
    '',
  ].join('\r\n'),
  'prototype names stay data': ['NATS/1.0', 'constructor: c', 'toString: t', '__proto__: p', '', ''].join(
    '\r\n',
  ),
  'a value with a colon and UTF-8': ['NATS/1.0', 'ce-subject: Order:ö-1', 'ce-time: 12:00', '', ''].join(
    '\r\n',
  ),
};

describe('readNatsHeaders', () => {
  for (const [name, block] of Object.entries(blocks)) {
    it(`reads ${name} as nats-core does`, () => {
      const msg = delivery(block);
      expect(readNatsHeaders(msg)).toEqual(fromNatsHeaders(msg.headers));
    });
  }

  it.each([
    ['a name with a space', 'NATS/1.0\r\nce id: x\r\n\r\n'],
    ['a lone line feed in a value', 'NATS/1.0\r\nce-id: a\nb\r\n\r\n'],
    ['a control character in a name', 'NATS/1.0\r\nce-\u0001id: x\r\n\r\n'],
  ])('refuses %s as nats-core does', (_name, block) => {
    const msg = delivery(block);
    expect(() => msg.headers).toThrow();
    expect(() => readNatsHeaders(msg)).toThrow();
  });

  it('falls back to the public headers when the message does not look like nats-core’s', () => {
    const msg = {
      headers: MsgHdrsImpl.decode(new TextEncoder().encode('NATS/1.0\r\nce-id: x\r\n\r\n')),
    } as unknown as JsMsg;
    expect(readNatsHeaders(msg)).toEqual({ headers: { 'ce-id': 'x' }, key: '', id: '', chunks: undefined });
  });
});
