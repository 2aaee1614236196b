/** The arithmetic of TimeSeriesChart, apart from the drawing so it can be tested alone. */

export type Granularity = 'day' | 'hour';

/**
 * An x value as a Date. A bare date ("2026-11-01") is a UTC day, as the API counts days
 * in UTC; a datetime without an offset is UTC too (SQLite in the embedded mode).
 */
export function parseX(value: unknown): Date {
  const text = String(value);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return new Date(`${text}T00:00:00Z`);
  return new Date(/(?:Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`);
}

// Days are shown in UTC (they are UTC days); hours in the viewer's own time zone.
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const hourFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

export function formatX(date: Date, granularity: Granularity): string {
  return (granularity === 'day' ? dayFormat : hourFormat).format(date);
}

/** A number from a data row (missing or non-numeric values count as 0). */
export function valueOf(row: Record<string, unknown>, key: string): number {
  const value = Number(row[key]);
  return Number.isFinite(value) ? value : 0;
}

/** The index of the row whose x position is nearest to `x` (positions ascending). */
export function nearestIndex(positions: readonly number[], x: number): number {
  let best = 0;
  for (let i = 1; i < positions.length; i++) {
    if (Math.abs(positions[i]! - x) < Math.abs(positions[best]! - x)) best = i;
  }
  return best;
}

/** The top of the y axis: the largest value, never below 4 so an empty chart has a scale. */
export function yMax(data: readonly Record<string, unknown>[], keys: readonly string[]): number {
  let max = 0;
  for (const row of data) for (const key of keys) max = Math.max(max, valueOf(row, key));
  return Math.max(max, 4);
}
