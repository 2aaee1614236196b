import { describe, expect, it } from 'vitest';
import { nearestIndex, parseX, valueOf, yMax } from './timeSeries.ts';

describe('time series arithmetic', () => {
  it('reads bare dates as UTC days and naive datetimes as UTC', () => {
    expect(parseX('2026-11-01').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(parseX('2026-11-01T13:00:00').toISOString()).toBe('2026-11-01T13:00:00.000Z');
    expect(parseX('2026-11-01T13:00:00+01:00').toISOString()).toBe('2026-11-01T12:00:00.000Z');
  });

  it('treats missing and non-numeric values as zero', () => {
    expect(valueOf({ a: 3 }, 'a')).toBe(3);
    expect(valueOf({ a: 'x' }, 'a')).toBe(0);
    expect(valueOf({}, 'a')).toBe(0);
  });

  it('finds the nearest point and keeps a scale for empty data', () => {
    expect(nearestIndex([0, 10, 20, 30], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20, 30], 26)).toBe(3);
    expect(yMax([{ a: 0 }], ['a'])).toBe(4);
    expect(yMax([{ a: 2, b: 90 }], ['a', 'b'])).toBe(90);
  });
});
