/**
 * Errors are recognised by brand and code, not `instanceof`, so an error thrown by another
 * installed copy of @tidings/core is still recognised. Codes are public API: they must not
 * change silently.
 */
import { describe, expect, it } from 'vitest';
import {
  ClosedError,
  ConfigurationError,
  DecodeError,
  DoNotRetry,
  errorMessage,
  HandlersFailedError,
  RetryLater,
  StoreError,
  TimeoutError,
  TransportError,
  UnknownEventTypeError,
  ValidationError,
} from './errors.ts';
import { describeValue, TidingsError } from './tidings-error.ts';

/** What an error thrown by another copy of the package looks like to this copy. */
function foreignError(code: string): Error {
  const error = new Error('from another copy') as Error & Record<PropertyKey, unknown>;
  error[Symbol.for('@tidings/error')] = true;
  error.code = code;
  return error;
}

describe('error codes', () => {
  it('are stable', () => {
    const codes = Object.fromEntries(
      [
        TidingsError,
        ValidationError,
        DecodeError,
        UnknownEventTypeError,
        ConfigurationError,
        StoreError,
        TransportError,
        ClosedError,
        TimeoutError,
        RetryLater,
        DoNotRetry,
        HandlersFailedError,
      ].map((c) => [c.name, c.code]),
    );
    expect(codes).toEqual({
      TidingsError: 'TIDINGS_ERROR',
      ValidationError: 'TIDINGS_VALIDATION',
      DecodeError: 'TIDINGS_DECODE',
      UnknownEventTypeError: 'TIDINGS_UNKNOWN_EVENT_TYPE',
      ConfigurationError: 'TIDINGS_CONFIGURATION',
      StoreError: 'TIDINGS_STORE',
      TransportError: 'TIDINGS_TRANSPORT',
      ClosedError: 'TIDINGS_CLOSED',
      TimeoutError: 'TIDINGS_TIMEOUT',
      RetryLater: 'TIDINGS_RETRY_LATER',
      DoNotRetry: 'TIDINGS_DO_NOT_RETRY',
      HandlersFailedError: 'TIDINGS_HANDLERS_FAILED',
    });
  });

  it('are set on instances and used as the name', () => {
    const error = new StoreError('disk full');
    expect(error.code).toBe('TIDINGS_STORE');
    expect(error.name).toBe('TIDINGS_STORE');
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toBe('TIDINGS_STORE: disk full');
  });
});

describe('is()', () => {
  it('matches its own class and the base, not siblings', () => {
    const error = new DecodeError('bad');
    expect(DecodeError.is(error)).toBe(true);
    expect(TidingsError.is(error)).toBe(true);
    expect(ValidationError.is(error)).toBe(false);
  });

  it('recognises an error from another copy of the package by brand and code', () => {
    const foreign = foreignError('TIDINGS_VALIDATION');
    expect(foreign).not.toBeInstanceOf(ValidationError);
    expect(ValidationError.is(foreign)).toBe(true);
    expect(TidingsError.is(foreign)).toBe(true);
    expect(DecodeError.is(foreign)).toBe(false);
    expect(DoNotRetry.is(foreignError('TIDINGS_DO_NOT_RETRY'))).toBe(true);
  });

  it('rejects look-alikes without the brand, and non-objects', () => {
    expect(ValidationError.is({ code: 'TIDINGS_VALIDATION' })).toBe(false);
    expect(TidingsError.is({ [Symbol.for('@tidings/error')]: 'yes', code: 'TIDINGS_ERROR' })).toBe(false);
    for (const value of [null, undefined, 'TIDINGS_VALIDATION', 42, new Error('plain')]) {
      expect(TidingsError.is(value)).toBe(false);
    }
  });
});

describe('cause and details', () => {
  it('keeps the cause', () => {
    const cause = new Error('socket closed');
    const error = new TransportError('publish failed', { cause, details: { topic: 't' } });
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ topic: 't' });
    expect(new TransportError('no cause')).not.toHaveProperty('cause');
  });

  it('ValidationError carries the event type and issues', () => {
    const issues = [{ path: 'a', message: 'required', value: undefined }];
    const error = new ValidationError('Invalid', 'OrderPlaced', issues);
    expect(error.eventType).toBe('OrderPlaced');
    expect(error.issues).toBe(issues);
    expect(error.details).toEqual({ eventType: 'OrderPlaced', issues });
  });

  it('RetryLater carries its delay', () => {
    const error = new RetryLater('rate limited', 250);
    expect(error.delayMs).toBe(250);
    expect(RetryLater.is(error)).toBe(true);
  });

  it('HandlersFailedError names each handler and keeps each cause', () => {
    const a = new Error('smtp down');
    const b = 'string thrown';
    const error = new HandlersFailedError([
      { handler: 'send-email', eventId: 'e-1', eventType: 'OrderPlaced', error: a },
      { handler: 'update-dashboard', eventId: 'e-1', eventType: 'OrderPlaced', error: b },
    ]);
    expect(error.message).toContain('2 handler(s) failed');
    expect(error.message).toContain('"send-email" on OrderPlaced e-1: smtp down');
    expect(error.message).toContain('"update-dashboard" on OrderPlaced e-1: string thrown');
    expect(error.failures.map((f) => f.error)).toEqual([a, b]);
    expect(error.cause).toBeInstanceOf(AggregateError);
    expect((error.cause as AggregateError).errors).toEqual([a, b]);
    expect(error.details).toEqual({ handlers: ['send-email', 'update-dashboard'] });
  });

  it('HandlersFailedError with one failure keeps that error as the cause', () => {
    const a = new Error('only');
    const error = new HandlersFailedError([{ handler: 'h', eventId: 'e', eventType: 'T', error: a }]);
    expect(error.cause).toBe(a);
  });
});

describe('message helpers', () => {
  it('errorMessage handles anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage({ a: 1 })).toBe('{"a":1}');
    expect(errorMessage(undefined)).toBe('undefined');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(errorMessage(cyclic)).toBe('[object Object]');
  });

  it('describeValue shortens huge values so they cannot flood logs', () => {
    const text = describeValue('x'.repeat(10_000));
    expect(text.length).toBeLessThan(120);
    expect(text).toContain('(10002 chars)');
    expect(describeValue(42)).toBe('42');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(10n)).toBe('[object BigInt]');
  });
});
