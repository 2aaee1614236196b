/**
 * The dashboard's numbers in words: rates as percentages, the key figures of the
 * overview, and how worrying a complaint rate is.
 */

import type { Overview } from '../../api/analytics.ts';
import { formatNumber } from '../../lib/format.ts';

/**
 * Gmail's thresholds, as the server's complaint guard applies them (docs/analytics.md):
 * from 0.1 % the organization is warned, from 0.3 % its sending campaigns are paused.
 */
export const COMPLAINT_WARN_RATE = 0.001;
export const COMPLAINT_DANGER_RATE = 0.003;

export type Level = 'ok' | 'warning' | 'danger';

export function complaintLevel(rate: number): Level {
  if (rate >= COMPLAINT_DANGER_RATE) return 'danger';
  if (rate >= COMPLAINT_WARN_RATE) return 'warning';
  return 'ok';
}

const percentFormats = new Map<number, Intl.NumberFormat>();

/**
 * A fraction as a percentage: 0.2345 -> "23.5%". Small rates keep two decimals
 * (0.0012 -> "0.12%"): complaint and bounce rates matter at that scale.
 */
export function formatRate(fraction: number): string {
  const digits = fraction > 0 && fraction < 0.01 ? 2 : 1;
  let format = percentFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: digits });
    percentFormats.set(digits, format);
  }
  return format.format(fraction);
}

/**
 * Delivered messages over sent ones. Without delivery events (SMTP) the server counts
 * sent minus hard bounces as delivered, and so does this.
 */
export function deliveryRate(overview: Pick<Overview, 'totals' | 'rates'>): number {
  const { sent, delivered, bounces } = overview.totals;
  if (sent <= 0) return 0;
  const reached = overview.rates.delivered_base === 'delivered' ? delivered : sent - bounces;
  return Math.min(1, Math.max(0, reached / sent));
}

export interface KeyFigure {
  id: 'sent' | 'delivery' | 'opens' | 'clicks' | 'bounces' | 'complaints';
  label: string;
  /** "12,400", "23.5%", or "—" before anything was sent. */
  value: string;
  detail: string;
  level: Level;
}

const plural = (count: number, one: string, other: string) => `${formatNumber(count)} ${count === 1 ? one : other}`;

/** The six figures of the window; rates are "—" until something was sent in it. */
export function keyFigures(overview: Pick<Overview, 'totals' | 'rates'>): KeyFigure[] {
  const { totals, rates } = overview;
  const sentAny = totals.sent > 0;
  const rate = (fraction: number) => (sentAny ? formatRate(fraction) : '—');
  const waiting = 'Shown after your first send';
  return [
    {
      id: 'sent',
      label: 'Emails sent',
      value: formatNumber(totals.sent),
      detail: sentAny ? `In ${plural(totals.campaigns, 'campaign', 'campaigns')}` : 'Nothing sent in this period yet',
      level: 'ok',
    },
    {
      id: 'delivery',
      label: 'Delivery rate',
      value: rate(deliveryRate(overview)),
      detail: !sentAny
        ? waiting
        : rates.delivered_base === 'delivered'
          ? `${formatNumber(totals.delivered)} delivered`
          : 'Sent minus bounces: your mail server reports no deliveries',
      level: 'ok',
    },
    {
      id: 'opens',
      label: 'Open rate',
      value: rate(rates.open_rate),
      detail: sentAny ? `${plural(totals.unique_opens, 'person', 'people')} opened` : waiting,
      level: 'ok',
    },
    {
      id: 'clicks',
      label: 'Click rate',
      value: rate(rates.click_rate),
      detail: sentAny ? `${plural(totals.unique_clicks, 'person', 'people')} clicked` : waiting,
      level: 'ok',
    },
    {
      id: 'bounces',
      label: 'Bounce rate',
      value: rate(rates.bounce_rate),
      detail: sentAny ? `${plural(totals.bounces, 'address', 'addresses')} bounced` : waiting,
      level: 'ok',
    },
    {
      id: 'complaints',
      label: 'Complaint rate',
      value: rate(rates.complaint_rate),
      detail: sentAny ? plural(totals.complaints, 'spam report', 'spam reports') : waiting,
      level: sentAny ? complaintLevel(rates.complaint_rate) : 'ok',
    },
  ];
}

const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayYearFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

/** "Oct 28 – Nov 26, 2026": the window's UTC days (`end` is the exclusive midnight). */
export function windowText(overview: Pick<Overview, 'start' | 'end'>): string {
  const start = new Date(overview.start);
  const last = new Date(new Date(overview.end).getTime() - 1);
  if (Number.isNaN(start.getTime()) || Number.isNaN(last.getTime())) return '';
  return `${dayFormat.format(start)} – ${dayYearFormat.format(last)}`;
}
