import { describe, expect, it } from 'vitest';
import { needsChunks } from './chunks.ts';

describe('needsChunks', () => {
  const max = 1024 * 1024;
  it('keeps a body that fits with its headers in one message', () => {
    expect(needsChunks({ 'ce-id': 'x' }, 'k', 'id', new Uint8Array(max - 2048), max)).toBe(false);
  });

  it('chunks a body that fits alone but not with its headers', () => {
    const headers = { 'ce-subject': 'x'.repeat(4096) };
    expect(needsChunks(headers, 'k', 'id', new Uint8Array(max - 2048), max)).toBe(true);
    expect(needsChunks({}, 'k', 'id', new Uint8Array(max), max)).toBe(true);
  });

  it('counts header bytes as UTF-8, not characters', () => {
    const headers = { 'ce-subject': '日'.repeat(1000) };
    expect(needsChunks(headers, 'k', 'id', new Uint8Array(max - 2048 - 1000), max)).toBe(true);
  });

  it('decides by the exact byte count when the quick bound is not conclusive', () => {
    // ASCII: the 3-bytes-per-character bound says "maybe too big", the exact count says it fits.
    const headers = { 'ce-subject': 'x'.repeat(400) };
    const headerBytes = 14 + 'Nats-Msg-Id: id\r\ntidings-key: k\r\n'.length + 'ce-subject: \r\n'.length + 400;
    const fits = max - 512 - headerBytes;
    expect(needsChunks(headers, 'k', 'id', new Uint8Array(fits), max)).toBe(false);
    expect(needsChunks(headers, 'k', 'id', new Uint8Array(fits + 1), max)).toBe(true);
  });
});
