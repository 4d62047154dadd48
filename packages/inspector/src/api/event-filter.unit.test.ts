import { describe, expect, it } from 'vitest';
import { toEventQuery } from './event-filter.ts';

describe('toEventQuery', () => {
  it('turns typed filters into an EventQuery', () => {
    expect(
      toEventQuery({
        type: ['a.One,a.Two', 'a.Three'],
        subject: 'Order:o-1:x',
        correlation: 'c-1',
        since: '2026-11-26',
        until: '2026-11-27T00:00:00+01:00',
        after: '7',
        limit: '20',
        order: 'desc',
      }),
    ).toEqual({
      types: ['a.One', 'a.Two', 'a.Three'],
      subject: { type: 'Order', id: 'o-1:x' },
      correlationId: 'c-1',
      from: '2026-11-26T00:00:00.000Z',
      to: '2026-11-26T23:00:00.000Z',
      afterPosition: 7,
      limit: 20,
      order: 'desc',
    });
    expect(toEventQuery({}, 50)).toEqual({ limit: 50 });
  });

  it('names the bad value and the expected form', () => {
    expect(() => toEventQuery({ subject: 'o-1' })).toThrow('subject "o-1" is not of the form Type:id');
    expect(() => toEventQuery({ since: 'yesterday' })).toThrow(/since "yesterday" is not a date/);
    expect(() => toEventQuery({ limit: '5000' })).toThrow(
      'limit "5000" must be a whole number from 1 to 1000.',
    );
    expect(() => toEventQuery({ limit: '1e3' })).toThrow(/whole number/);
    expect(() => toEventQuery({ order: 'up' })).toThrow(/"asc" or "desc"/);
  });

  it('reads a date and time without a zone as UTC, the zone every time is shown in', () => {
    expect(toEventQuery({ since: '2026-11-26T07:00' }).from).toBe('2026-11-26T07:00:00.000Z');
    expect(toEventQuery({ until: '2026-11-26T07:00:05.5' }).to).toBe('2026-11-26T07:00:05.500Z');
    expect(toEventQuery({ since: '2026-11-26T07:00+02:00' }).from).toBe('2026-11-26T05:00:00.000Z');
  });
});
