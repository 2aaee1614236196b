import { describe, expect, it } from 'vitest';
import type { Plan, Subscription } from '../../api/billing.ts';
import { meterLevel, meterPercent, meterView, planAction, planFeatures } from './meters.ts';

const meter = (used: number | null, limit: number) => ({
  used,
  limit,
  remaining: used === null ? null : Math.max(0, limit - used),
  percent: null,
});

function plan(code: string, price: number, extra: Partial<Plan> = {}): Plan {
  return {
    code,
    name: code[0]!.toUpperCase() + code.slice(1),
    price_cents: price,
    currency: 'usd',
    email_quota: 15000,
    contact_limit: 2500,
    seats: 3,
    features: { sending_domains: 2, api_access: true, sso: false },
    purchasable: price > 0,
    ...extra,
  };
}

const FREE = plan('free', 0);
const STARTER = plan('starter', 1500);
const GROWTH = plan('growth', 4900);

describe('meter thresholds', () => {
  it('turns amber at 80 % and red at 100 %, rounding down like the server', () => {
    expect(meterLevel(meter(0, 1000))).toBe('ok');
    expect(meterLevel(meter(799, 1000))).toBe('ok');
    expect(meterLevel(meter(7999, 10000))).toBe('ok'); // 79.99 % is not 80 %
    expect(meterLevel(meter(800, 1000))).toBe('warning');
    expect(meterLevel(meter(999, 1000))).toBe('warning');
    expect(meterLevel(meter(1000, 1000))).toBe('critical');
    expect(meterLevel(meter(31, 2))).toBe('critical');
  });

  it('treats a zero limit as full and an unknown count as unknown', () => {
    expect(meterPercent(meter(0, 0))).toBe(100);
    expect(meterLevel(meter(0, 0))).toBe('critical');
    expect(meterPercent(meter(null, 500))).toBeNull();
    expect(meterLevel(meter(null, 500))).toBe('unknown');
  });

  it('caps the bar at a full width and says what the level means', () => {
    const over = meterView('seats', meter(31, 2), 'Dec 26, 2026');
    expect(over).toMatchObject({ title: 'Seats', valueText: '31 of 2 seats', percent: 1550, barPercent: 100, level: 'critical' });
    expect(over.note).toMatch(/new invitations are refused/);

    const full = meterView('seats', meter(2, 2), 'x');
    expect(full.note).toBe('Every seat is taken: upgrade to invite more people.');

    const emails = meterView('emails', meter(850, 1000), 'Dec 26, 2026');
    expect(emails).toMatchObject({ valueText: '850 of 1,000 emails', percent: 85, barPercent: 85, level: 'warning' });
    expect(emails.note).toBe('150 left until the period renews on Dec 26, 2026.');
    expect(meterView('emails', meter(1000, 1000), 'Dec 26, 2026').note).toMatch(/^Quota reached: campaigns are refused/);
    expect(meterView('emails', meter(10, 1000), 'Dec 26, 2026').note).toBe('Renews on Dec 26, 2026.');

    expect(meterView('contacts', meter(0, 500), 'x').note).toBeNull();
    expect(meterView('contacts', meter(499, 500), 'x').note).toBe('Room for 1 more contact.');
    const unknown = meterView('contacts', meter(null, 500), 'x');
    expect(unknown).toMatchObject({ valueText: 'Unknown of 500 contacts', barPercent: 0, level: 'unknown' });
  });

  it('uses the singular for a limit of one', () => {
    expect(meterView('seats', meter(1, 1), 'x').valueText).toBe('1 of 1 seat');
  });
});

describe('planAction', () => {
  const on = (current: Plan, managedBy: Subscription['managed_by'] = 'manual') => ({ plan: current, managed_by: managedBy });

  it('buys a plan through checkout when no Stripe subscription bills the organization', () => {
    expect(planAction(FREE, on(FREE))).toEqual({ kind: 'current' });
    expect(planAction(STARTER, on(FREE))).toEqual({ kind: 'checkout', label: 'Upgrade to Starter' });
    // An operator-set plan: a cheaper plan is bought through checkout too.
    expect(planAction(STARTER, on(GROWTH))).toEqual({ kind: 'checkout', label: 'Downgrade to Starter' });
  });

  it('changes a Stripe-billed plan in the portal, Free included', () => {
    expect(planAction(GROWTH, on(STARTER, 'stripe'))).toEqual({ kind: 'portal', label: 'Upgrade to Growth' });
    expect(planAction(FREE, on(STARTER, 'stripe'))).toEqual({ kind: 'portal', label: 'Downgrade to Free' });
  });

  it('offers nothing for plans that cannot be bought', () => {
    expect(planAction(FREE, on(STARTER)).kind).toBe('none');
    const retired = plan('legacy', 900, { purchasable: false });
    expect(planAction(retired, on(FREE))).toEqual({ kind: 'none', reason: 'No longer offered.' });
    expect(planAction(retired, on(STARTER, 'stripe'))).toEqual({ kind: 'none', reason: 'No longer offered.' });
  });
});

describe('planFeatures', () => {
  it('lists the limits and the features a plan turns on', () => {
    expect(planFeatures(plan('pro', 14900, { email_quota: 300000, seats: 25, features: { sending_domains: 20, sso: true } }))).toEqual([
      '300,000 emails a month',
      '2,500 contacts',
      '25 seats',
      '20 sending domains',
      'Single sign-on (SSO)',
    ]);
    expect(planFeatures(plan('solo', 100, { seats: 1, features: { sending_domains: 1 } })).slice(2)).toEqual(['1 seat', '1 sending domain']);
  });
});
