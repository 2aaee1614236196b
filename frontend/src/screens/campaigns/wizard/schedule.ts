/**
 * Dates and times in a chosen IANA time zone, for scheduling: a person picks "9:00 on
 * March 3 in Europe/Paris" and the API wants an ISO 8601 instant with its offset. The
 * browser only knows its own zone natively, so the offset of another zone at a given
 * instant is read back from `Intl.DateTimeFormat`.
 */

import { formatDateTime, parseTimestamp } from '../../../lib/format.ts';

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Every zone the browser knows, sorted, with `include` (the current choices) added if missing. */
export function timeZones(...include: string[]): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    // An older browser: the current choices and UTC still make a usable list.
  }
  return [...new Set([...zones, 'UTC', ...include.filter(isTimeZone)])].sort();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(instant: number, zone: string): WallClock {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: (parts['hour'] ?? 0) % 24,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** Minutes `zone` is ahead of UTC at `instant` (Paris in winter: 60). */
export function zoneOffsetMinutes(instant: number, zone: string): number {
  const wall = wallClock(instant, zone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

const pad = (value: number, size = 2) => String(Math.abs(value)).padStart(size, '0');

function parseDate(date: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

function parseTime(time: string): [number, number] | null {
  const match = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(time);
  if (!match) return null;
  const [hour, minute] = [Number(match[1]), Number(match[2])];
  return hour < 24 && minute < 60 ? [hour, minute] : null;
}

/**
 * A date ("2026-03-03") and time ("09:00") on the clocks of `zone` as an ISO instant with
 * that zone's offset ("2026-03-03T09:00:00+01:00"); null when the input is not a date
 * and a time. A time skipped by a daylight-saving change moves forward, as clocks do.
 */
export function zonedToIso(date: string, time: string, zone: string): string | null {
  const day = parseDate(date);
  const clock = parseTime(time);
  if (!day || !clock || !isTimeZone(zone)) return null;
  const guess = Date.UTC(day[0], day[1] - 1, day[2], clock[0], clock[1]);
  if (Number.isNaN(guess)) return null;
  // The offset depends on the instant we are looking for: try both offsets around it.
  const first = guess - zoneOffsetMinutes(guess, zone) * 60_000;
  const second = guess - zoneOffsetMinutes(first, zone) * 60_000;
  const shows = (candidate: number) => {
    const wall = wallClock(candidate, zone);
    return wall.hour === clock[0] && wall.minute === clock[1];
  };
  const matching = [first, second].filter(shows);
  // Two matches: an hour that happens twice (autumn), take the first. None: a skipped hour.
  const instant = matching.length > 0 ? Math.min(...matching) : Math.max(first, second);
  const offset = zoneOffsetMinutes(instant, zone);
  const wall = wallClock(instant, zone);
  const sign = offset < 0 ? '-' : '+';
  return (
    `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}:00` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`
  );
}

/** An instant as the date and time inputs show it in `zone`. */
export function isoToZoned(iso: string, zone: string): { date: string; time: string } {
  const wall = wallClock(parseTimestamp(iso).getTime(), zone);
  return { date: `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`, time: `${pad(wall.hour)}:${pad(wall.minute)}` };
}

/** Tomorrow at 9:00 in `zone`: a sensible first proposal for a newsletter. */
export function defaultSchedule(zone: string, now: Date = new Date()): { date: string; time: string } {
  const today = wallClock(now.getTime(), zone);
  const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
  return {
    date: `${pad(tomorrow.getUTCFullYear(), 4)}-${pad(tomorrow.getUTCMonth() + 1)}-${pad(tomorrow.getUTCDate())}`,
    time: '09:00',
  };
}

/** "Tue, Mar 3, 2026, 9:00 AM (Europe/Paris)": the time as it was chosen, in its zone. */
export function formatInZone(iso: string, zone: string | null): string {
  const date = parseTimestamp(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (!zone || !isTimeZone(zone)) return formatDateTime(iso);
  const text = new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(date);
  return `${text} (${zone.replaceAll('_', ' ')})`;
}
