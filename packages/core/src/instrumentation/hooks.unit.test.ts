import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineEvent } from '../event/define-event.ts';
import { currentInstrumentation, setInstrumentation } from './hooks.ts';

const Pinged = defineEvent('Pinged', { schema: z.object({}) });
let uninstall: (() => void) | undefined;
afterEach(() => uninstall?.());

describe('instrumentation hooks', () => {
  it('gives new events default metadata that explicit metadata overrides', () => {
    const asked: string[] = [];
    uninstall = setInstrumentation({
      metadataForNewEvent: (type) => {
        asked.push(type);
        return { traceparent: 'from-hook', tenant: 'acme' };
      },
    });
    expect(Pinged.create({}).metadata).toEqual({ traceparent: 'from-hook', tenant: 'acme' });
    expect(Pinged.create({}, { metadata: { tenant: 'other' } }).metadata).toEqual({
      traceparent: 'from-hook',
      tenant: 'other',
    });
    expect(asked).toEqual(['Pinged', 'Pinged']);
  });

  it('uninstalls back to the previous instrumentation, and to none', () => {
    const first = {};
    const second = {};
    const removeFirst = setInstrumentation(first);
    const removeSecond = setInstrumentation(second);
    expect(currentInstrumentation()).toBe(second);
    removeSecond();
    expect(currentInstrumentation()).toBe(first);
    removeFirst();
    expect(currentInstrumentation()).toBeUndefined();
    expect(Pinged.create({}).metadata).toEqual({});
  });
});
