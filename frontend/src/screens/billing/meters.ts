/**
 * The billing screen's logic: how full a usage meter is and what to say about it, and
 * what each plan card offers given the current subscription.
 */

import type { Meter, Plan, Subscription } from '../../api/billing.ts';
import { formatNumber } from '../../lib/format.ts';

/** From this share of a limit a meter turns amber... */
export const WARNING_PERCENT = 80;
/** ...and from this one red. */
export const CRITICAL_PERCENT = 100;

export type MeterLevel = 'ok' | 'warning' | 'critical' | 'unknown';

/**
 * Whole percent used, rounded down as the server does (79.9 % is not yet amber);
 * a limit of 0 is full. null when the server could not count the usage.
 */
export function meterPercent(meter: Pick<Meter, 'used' | 'limit'>): number | null {
  if (meter.used === null) return null;
  if (meter.limit <= 0) return 100;
  return Math.floor((meter.used * 100) / meter.limit);
}

export function meterLevel(meter: Pick<Meter, 'used' | 'limit'>): MeterLevel {
  const percent = meterPercent(meter);
  if (percent === null) return 'unknown';
  if (percent >= CRITICAL_PERCENT) return 'critical';
  if (percent >= WARNING_PERCENT) return 'warning';
  return 'ok';
}

export type MeterKind = 'emails' | 'contacts' | 'seats';

export interface MeterView {
  title: string;
  /** "850 of 1,000 emails" */
  valueText: string;
  percent: number | null;
  /** Width of the bar, 0-100 (a meter over its limit is a full bar). */
  barPercent: number;
  level: MeterLevel;
  /** What the level means for the person; null while there is nothing to say. */
  note: string | null;
}

const NOUNS: Record<MeterKind, { title: string; one: string; other: string }> = {
  emails: { title: 'Emails this period', one: 'email', other: 'emails' },
  contacts: { title: 'Contacts', one: 'contact', other: 'contacts' },
  seats: { title: 'Seats', one: 'seat', other: 'seats' },
};

function noteFor(kind: MeterKind, meter: Meter, level: MeterLevel, renews: string): string | null {
  const used = meter.used ?? 0;
  const left = Math.max(0, meter.limit - used);
  if (level === 'unknown') return 'Not counted right now.';
  if (kind === 'emails') {
    if (level === 'critical') return `Quota reached: campaigns are refused until the period renews on ${renews}, or until you upgrade.`;
    if (level === 'warning') return `${formatNumber(left)} left until the period renews on ${renews}.`;
    return `Renews on ${renews}.`;
  }
  if (kind === 'contacts') {
    if (level === 'critical') return 'Contact limit reached: imports and new contacts are refused. Upgrade to add more.';
    if (level === 'warning') return `Room for ${formatNumber(left)} more ${left === 1 ? 'contact' : 'contacts'}.`;
    return null;
  }
  if (used > meter.limit) return 'More members than the plan’s seats: new invitations are refused. Upgrade to add seats.';
  if (level === 'critical') return 'Every seat is taken: upgrade to invite more people.';
  if (level === 'warning') return `${formatNumber(left)} ${left === 1 ? 'seat' : 'seats'} left.`;
  return null;
}

/** Everything a usage meter shows; `renews` is the formatted end of the period. */
export function meterView(kind: MeterKind, meter: Meter, renews: string): MeterView {
  const nouns = NOUNS[kind];
  const percent = meterPercent(meter);
  const level = meterLevel(meter);
  const noun = meter.limit === 1 ? nouns.one : nouns.other;
  const valueText =
    meter.used === null
      ? `Unknown of ${formatNumber(meter.limit)} ${noun}`
      : `${formatNumber(meter.used)} of ${formatNumber(meter.limit)} ${noun}`;
  return {
    title: nouns.title,
    valueText,
    percent,
    barPercent: percent === null ? 0 : Math.min(100, Math.max(0, percent)),
    level,
    note: noteFor(kind, meter, level, renews),
  };
}

export type PlanAction =
  | { kind: 'current' }
  | { kind: 'checkout'; label: string }
  | { kind: 'portal'; label: string }
  | { kind: 'none'; reason: string };

/**
 * What a plan card offers. A live Stripe subscription changes plans in the billing portal
 * (checkout would open a second subscription); otherwise a purchasable plan is bought
 * through checkout. Free cannot be bought: an organization returns to it by canceling.
 */
export function planAction(plan: Plan, subscription: Pick<Subscription, 'plan' | 'managed_by'>): PlanAction {
  const current = subscription.plan;
  if (plan.code === current.code) return { kind: 'current' };
  const verb = plan.price_cents > current.price_cents ? 'Upgrade' : 'Downgrade';
  const free = plan.price_cents === 0;
  if (subscription.managed_by === 'stripe') {
    // Free is not a Stripe product: canceling the subscription in the portal returns to it.
    if (plan.purchasable || free) return { kind: 'portal', label: `${verb} to ${plan.name}` };
    return { kind: 'none', reason: 'No longer offered.' };
  }
  if (!plan.purchasable) {
    return { kind: 'none', reason: free ? 'Organizations return to Free when a subscription ends.' : 'No longer offered.' };
  }
  return { kind: 'checkout', label: `${verb} to ${plan.name}` };
}

/** The plan's limits as short lines for its card. */
export function planFeatures(plan: Plan): string[] {
  const lines = [
    `${formatNumber(plan.email_quota)} emails a month`,
    `${formatNumber(plan.contact_limit)} contacts`,
    `${formatNumber(plan.seats)} ${plan.seats === 1 ? 'seat' : 'seats'}`,
  ];
  const domains = plan.features['sending_domains'];
  if (typeof domains === 'number') lines.push(`${formatNumber(domains)} sending ${domains === 1 ? 'domain' : 'domains'}`);
  if (plan.features['sso'] === true) lines.push('Single sign-on (SSO)');
  return lines;
}
