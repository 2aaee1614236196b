import { describe, expect, it } from 'vitest';
import { defaultSchedule, isoToZoned, timeZones, zonedToIso, zoneOffsetMinutes } from './schedule.ts';

describe('scheduling in a time zone', () => {
  it('turns a wall-clock time in a zone into an instant with that zone’s offset', () => {
    expect(zonedToIso('2026-03-03', '09:00', 'Europe/Paris')).toBe('2026-03-03T09:00:00+01:00');
    expect(zonedToIso('2026-07-01', '09:00', 'Europe/Paris')).toBe('2026-07-01T09:00:00+02:00');
    expect(zonedToIso('2026-07-01', '18:30', 'America/New_York')).toBe('2026-07-01T18:30:00-04:00');
    expect(zonedToIso('2026-12-31', '23:45', 'Asia/Kolkata')).toBe('2026-12-31T23:45:00+05:30');
    expect(zonedToIso('2026-01-15', '00:00', 'UTC')).toBe('2026-01-15T00:00:00+00:00');
  });

  it('moves a time skipped by the spring change forward, as clocks do', () => {
    // New York skips 02:00-03:00 on 8 March 2026.
    expect(zonedToIso('2026-03-08', '02:30', 'America/New_York')).toBe('2026-03-08T03:30:00-04:00');
    // 01:30 happens twice on 1 November 2026: the first one is meant.
    expect(zonedToIso('2026-11-01', '01:30', 'America/New_York')).toBe('2026-11-01T01:30:00-04:00');
  });

  it('refuses what is not a date, a time and a zone', () => {
    expect(zonedToIso('', '09:00', 'UTC')).toBeNull();
    expect(zonedToIso('2026-03-03', '25:00', 'UTC')).toBeNull();
    expect(zonedToIso('2026-03-03', '09:00', 'Mars/Olympus')).toBeNull();
  });

  it('reads an instant back as the date and time in a zone', () => {
    expect(isoToZoned('2026-03-03T08:00:00+00:00', 'Europe/Paris')).toEqual({ date: '2026-03-03', time: '09:00' });
    // The API may answer without an offset (SQLite): that is UTC.
    expect(isoToZoned('2026-03-03T23:30:00', 'Asia/Tokyo')).toEqual({ date: '2026-03-04', time: '08:30' });
    expect(zoneOffsetMinutes(Date.UTC(2026, 0, 1), 'America/Los_Angeles')).toBe(-480);
  });

  it('proposes tomorrow at nine in the chosen zone', () => {
    // 23:30 UTC on 31 Dec is already 1 Jan in Tokyo: tomorrow there is 2 Jan.
    const now = new Date(Date.UTC(2026, 11, 31, 23, 30));
    expect(defaultSchedule('Asia/Tokyo', now)).toEqual({ date: '2027-01-02', time: '09:00' });
    expect(defaultSchedule('America/New_York', now)).toEqual({ date: '2027-01-01', time: '09:00' });
  });

  it('lists the zones with the current choice included', () => {
    const zones = timeZones('Europe/Paris');
    expect(zones).toContain('Europe/Paris');
    expect(zones).toContain('UTC');
    expect(timeZones('Not/AZone')).not.toContain('Not/AZone');
  });
});
