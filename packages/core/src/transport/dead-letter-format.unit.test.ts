/**
 * The one dead-letter format: written and read back the same, and a dead letter redriven
 * to where it came from.
 */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, DoNotRetry } from '../errors/errors.ts';
import {
  deadLetterHeaders,
  errorCodeOf,
  readDeadLetterHeaders,
  toRedriveMessage,
  withDeadLetterHeaders,
} from './dead-letter-format.ts';

const original = { 'ce-id': 'e-1', 'content-type': 'application/json', 'x-note': 'kept' };
const info = {
  reason: 'line one\r\nline two',
  code: 'TIDINGS_DECODE',
  group: 'emails',
  attempts: 4,
  topic: 'Order',
  at: '2026-01-01T00:00:00.000Z',
};

describe('the dead-letter format', () => {
  it('adds one-line fields next to the original headers and reads them back', () => {
    const headers = withDeadLetterHeaders(original, info);
    expect(headers).toMatchObject(original);
    expect(readDeadLetterHeaders(headers)).toEqual({
      ...info,
      reason: 'line one line two',
      firstFailedAt: info.at,
    });
    const first = '2025-12-31T23:00:00.000Z';
    expect(readDeadLetterHeaders(withDeadLetterHeaders(original, { ...info, firstFailedAt: first }))).toEqual(
      expect.objectContaining({ firstFailedAt: first, at: info.at }),
    );
    // A dead letter written before the field existed reads its first failure as the last.
    const { [deadLetterHeaders.firstFailedAt]: _, ...older } = headers;
    expect(readDeadLetterHeaders(older)?.firstFailedAt).toBe(info.at);
    expect(readDeadLetterHeaders(original)).toBeUndefined();
    expect(errorCodeOf(new DoNotRetry('no'))).toBe('TIDINGS_DO_NOT_RETRY');
    expect(errorCodeOf(new Error('plain'))).toBeUndefined();
  });

  it('redrives to the original topic without the dead-letter fields, under a fresh id', () => {
    const letter = {
      id: 'e-1:deadletter:emails',
      key: 'Order:1',
      headers: withDeadLetterHeaders(original, info),
      body: new Uint8Array([1]),
    };
    expect(toRedriveMessage(letter, 'T')).toEqual({
      id: 'e-1:redrive:T',
      topic: 'Order',
      key: 'Order:1',
      headers: original,
      body: letter.body,
    });
  });

  it('refuses to redrive what is not a dead letter, saying what is missing', () => {
    const plain = { id: 'x', key: 'k', headers: original, body: new Uint8Array() };
    expect(() => toRedriveMessage(plain)).toThrow(ConfigurationError);
    expect(() => toRedriveMessage(plain)).toThrow(/tidings-dead-letter-reason/);
  });
});
