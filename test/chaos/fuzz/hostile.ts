/**
 * Hostile messages for the fuzz run, broker-neutral: headers in core's form (`ce-<name>`,
 * `content-type`), values that may be of the wrong type (each raw sender passes what its
 * driver can carry natively: AMQP numbers and tables, SQS binary attributes…), and a body.
 * Every one is invalid for certain, so each must end up dead-lettered; `fuzz-id` names it
 * so the dead-letter count can be checked message by message. A seeded generator keeps a
 * failing run reproducible.
 */

export type HeaderValue = string | number | boolean | null | Buffer | Record<string, unknown>;

export interface HostileMessage {
  readonly kind: string;
  readonly key: string;
  readonly headers: Record<string, HeaderValue>;
  readonly body: Buffer;
}

/** xorshift32: small, fast, reproducible. */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

const type = 'crash.Ticked';
const structured = { 'content-type': 'application/cloudevents+json' };
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const envelope = (id: string, extra: Record<string, unknown> = {}) => ({
  specversion: '1.0',
  id,
  source: 'fuzz',
  type,
  subject: 'c-1',
  ...extra,
});
const binary = (id: string) => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-source': 'fuzz',
  'ce-type': type,
  'content-type': 'application/json',
});

function nested(depth: number): Buffer {
  return Buffer.from(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** One generator per kind; `huge` is the broker's largest body (a sender's limit). */
const kinds: Record<
  string,
  (id: string, random: () => number, huge: number) => Omit<HostileMessage, 'kind'>
> = {
  'random bytes': (id, random) => {
    const body = Buffer.alloc(1 + Math.floor(random() * 512));
    for (let i = 0; i < body.length; i++) body[i] = Math.floor(random() * 256);
    return { key: id, headers: {}, body };
  },
  'truncated JSON': (id, random) => {
    const whole = JSON.stringify(envelope(id, { data: { n: 1 } }));
    return {
      key: id,
      headers: structured,
      body: Buffer.from(whole.slice(0, Math.floor(random() * (whole.length - 1)))),
    };
  },
  'wrong attribute types': (id) => ({
    key: id,
    headers: structured,
    body: json({ specversion: 1, id: { id }, source: ['x'], type: 42, time: 'not a time', data: { n: 1 } }),
  }),
  'wrong header types': (id) => ({
    key: id,
    headers: { ...binary(id), 'ce-type': 42, 'ce-specversion': null, 'ce-time': true, 'ce-source': { a: 1 } },
    body: json({ n: 1 }),
  }),
  'payload fails the schema': (id) => ({ key: id, headers: binary(id), body: json({ n: 'one' }) }),
  'unknown event type': (id) => ({
    key: id,
    headers: structured,
    body: json(envelope(id, { type: 'fuzz.Unknown', data: { n: 1 } })),
  }),
  'huge body': (id, _random, huge) => ({
    key: id,
    headers: binary(id),
    body: Buffer.concat([
      Buffer.from('{"n":"huge","pad":"'),
      Buffer.alloc(huge - 24, 0x61),
      Buffer.from('"'),
    ]),
  }),
  'deeply nested body': (id) => ({
    key: id,
    headers: structured,
    body: Buffer.from(JSON.stringify(envelope(id)).replace(/}$/, `,"data":${nested(5_000)}}`)),
  }),
  '__proto__ keys': (id) => ({
    key: id,
    headers: structured,
    body: Buffer.from(
      `{"__proto__":{"type":"${type}","specversion":"1.0","polluted":true},"id":"${id}","source":"fuzz","data":{"__proto__":{"n":1}}}`,
    ),
  }),
  '__proto__ in data': (id) => ({
    key: id,
    headers: binary(id),
    body: Buffer.from('{"__proto__":{"n":1,"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  }),
  'control characters': (id, random) => {
    const bad = String.fromCharCode(Math.floor(random() * 32));
    return {
      key: id,
      headers: structured,
      body: json(envelope(`${id}${bad}x`, { subject: `c-1${bad}`, data: { n: 1 } })),
    };
  },
  'control characters in headers': (id) => ({
    key: id,
    headers: { ...binary(id), 'ce-id': `${id}%00%1b`, 'ce-subject': 'c-1%0a%0d' },
    body: json({ n: 1 }),
  }),
};

export const hostileKinds = Object.keys(kinds);

/** The `index`th hostile message; huge bodies are rare (1 in 10,000) so memory figures mean something. */
export function hostile(index: number, random: () => number, huge: number): HostileMessage {
  const names = hostileKinds.filter((k) => k !== 'huge body');
  const kind = index % 10_000 === 9_999 ? 'huge body' : (names[index % names.length] as string);
  const id = `fuzz-${index}`;
  const made = (kinds[kind] as (typeof kinds)[string])(id, random, huge);
  return { kind, ...made, headers: { ...made.headers, 'fuzz-id': id, 'fuzz-kind': kind } };
}
