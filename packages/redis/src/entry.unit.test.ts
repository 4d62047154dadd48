import { describe, expect, it } from 'vitest';
import { entryFields, type RawEntry, toDelivery } from './entry.ts';

const plain = { topic: 't', stream: 'p:t', index: -1 };

describe('stream entry layout', () => {
  it('reads back what it wrote, bytes and unicode included', () => {
    const body = Uint8Array.from({ length: 256 }, (_, i) => i);
    const fields = entryFields({
      id: 'e1',
      key: 'Kunde:Grüße',
      headers: { 'ce-id': 'e1', 'x-empty': '' },
      body,
    });
    const raw: RawEntry = [
      Buffer.from('1-0'),
      fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)),
    ];
    const delivery = toDelivery({ topic: 'order.placed', stream: 'p:order.placed:3', index: 3 }, raw, 1);
    expect(delivery?.entryId).toBe('1-0');
    expect(delivery?.message).toMatchObject({
      id: 'e1',
      topic: 'order.placed',
      key: 'Kunde:Grüße',
      headers: { 'ce-id': 'e1', 'x-empty': '' },
      deliveryCount: 1,
    });
    expect(Buffer.from(delivery?.message.body ?? []).equals(Buffer.from(body))).toBe(true);
  });

  it("reads a foreign producer's bare `body` entry, named by its entry id and timed by it", () => {
    const raw: RawEntry = [Buffer.from('1767225600000-3'), [Buffer.from('body'), Buffer.from('{}')]];
    expect(toDelivery(plain, raw, 1)?.message).toMatchObject({
      id: '1767225600000-3',
      key: '',
      headers: {},
      publishedAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('skips an entry that was deleted meanwhile', () => {
    expect(toDelivery(plain, [Buffer.from('1-0'), null], 2)).toBeUndefined();
  });
});
