/** The report's chart rows from the hourly timeline of the API. */

import type { TimelinePoint } from '../../../api/campaigns.ts';

export interface ChartRow extends Record<string, unknown> {
  /** An ISO hour, or a UTC day ("2026-03-03") once the span is long. */
  at: string;
  opens: number;
  clicks: number;
}

/** Past three days, hours are too many points to read: the chart shows days. */
export const MAX_HOURLY_POINTS = 72;

export function chartRows(points: readonly TimelinePoint[]): { granularity: 'hour' | 'day'; rows: ChartRow[] } {
  if (points.length <= MAX_HOURLY_POINTS) {
    return { granularity: 'hour', rows: points.map((point) => ({ at: point.hour, opens: point.opens, clicks: point.clicks })) };
  }
  const days = new Map<string, ChartRow>();
  for (const point of points) {
    // The API's hours are UTC; so are the chart's days.
    const hour = /(?:Z|[+-]\d\d:?\d\d)$/.test(point.hour) ? point.hour : `${point.hour}Z`;
    const day = new Date(hour).toISOString().slice(0, 10);
    const row = days.get(day) ?? { at: day, opens: 0, clicks: 0 };
    row.opens += point.opens;
    row.clicks += point.clicks;
    days.set(day, row);
  }
  return { granularity: 'day', rows: [...days.values()] };
}

export function hasEngagement(points: readonly TimelinePoint[]): boolean {
  return points.some((point) => point.opens > 0 || point.clicks > 0);
}
