import { describe, expect, it } from 'vitest';
import { freezeParsedJson } from './freeze.ts';

describe('freezeParsedJson', () => {
  it('freezes every object and array of a parsed document in place', () => {
    const value = JSON.parse('{"a":{"b":[1,{"c":"d"}]},"e":[[]],"f":null}');
    expect(freezeParsedJson(value)).toBe(value);
    for (const part of [value, value.a, value.a.b, value.a.b[1], value.e, value.e[0]])
      expect(Object.isFrozen(part)).toBe(true);
    expect(value).toEqual({ a: { b: [1, { c: 'd' }] }, e: [[]], f: null });
  });

  it('keeps a "__proto__" key as data and freezes what it holds', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}');
    freezeParsedJson(value);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.isFrozen(Object.getOwnPropertyDescriptor(value, '__proto__')?.value)).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('returns primitives as they are', () => {
    expect(freezeParsedJson(JSON.parse('"text"'))).toBe('text');
    expect(freezeParsedJson(JSON.parse('12'))).toBe(12);
    expect(freezeParsedJson(null)).toBeNull();
  });
});
