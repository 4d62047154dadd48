import { describe, expect, it } from 'vitest';
import { createSerial } from './serial.ts';

describe('createSerial', () => {
  it('runs work one call at a time, in call order, across awaits', async () => {
    const serial = createSerial();
    const trace: string[] = [];
    const step = (name: string) =>
      serial.run(async () => {
        trace.push(`${name} in`);
        await Promise.resolve();
        await Promise.resolve();
        trace.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([step('a'), step('b')])).toEqual(['a', 'b']);
    expect(trace).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('moves on after work that throws, and hands the error to its caller', async () => {
    const serial = createSerial();
    const failed = serial.run(() => {
      throw new Error('boom');
    });
    const next = serial.run(() => 'next');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});
