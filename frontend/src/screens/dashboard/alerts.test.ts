import { describe, expect, it } from 'vitest';
import type { Subscription, Usage } from '../../api/billing.ts';
import { buildAlerts } from './alerts.ts';
import { checklistSteps, showChecklist, whoCan } from './checklist.ts';
import { complaintLevel, deliveryRate, formatRate } from './figures.ts';

const meter = (used: number, limit: number) => ({ used, limit, remaining: limit - used, percent: null });
const usage = (emails: number, contacts = 0): Usage => ({
  plan: 'growth',
  period_start: '2026-11-01T00:00:00+00:00',
  period_end: '2026-12-01T00:00:00+00:00',
  emails: meter(emails, 1000),
  contacts: meter(contacts, 1000),
  seats: meter(1, 5),
});

describe('dashboard alerts', () => {
  it('warns from 80 % of a quota and turns red at 100 %', () => {
    expect(buildAlerts({ usage: usage(799) })).toEqual([]);
    expect(buildAlerts({ usage: usage(800) }).map((alert) => [alert.id, alert.tone])).toEqual([['quota-emails', 'warning']]);
    const full = buildAlerts({ usage: usage(1000, 950) });
    expect(full.map((alert) => [alert.id, alert.tone])).toEqual([
      ['quota-emails', 'danger'],
      ['quota-contacts', 'warning'],
    ]);
    expect(full[0]!.body).toContain('1,000 of 1,000 emails (100%)');
  });

  it('judges the complaint rate by Gmail’s thresholds', () => {
    expect(complaintLevel(0.00099)).toBe('ok');
    expect(complaintLevel(0.001)).toBe('warning');
    expect(complaintLevel(0.003)).toBe('danger');
    expect(buildAlerts({ complaints: { rate: 0.0005, count: 1 } })).toEqual([]);
    expect(buildAlerts({ complaints: { rate: 0.0042, count: 3 } })[0]).toMatchObject({ tone: 'danger', title: expect.stringContaining('0.42%') });
  });

  it('says when a payment failed or sending is paused, the most urgent first', () => {
    const pastDue = {
      status: 'past_due',
      sending_allowed: false,
      past_due_since: null,
      grace_ends_at: null,
      sending_message: 'payment overdue',
    } as unknown as Subscription;
    const alerts = buildAlerts({ subscription: pastDue, usage: usage(900), domains: [] });
    expect(alerts.map((alert) => alert.id)).toEqual(['billing-past-due', 'quota-emails', 'domain-none']);
    expect(alerts[0]).toMatchObject({ tone: 'danger', title: 'Sending is paused' });
  });

  it('leaves the domain to the checklist while onboarding, and offers "add" only to managers', () => {
    expect(buildAlerts({ domains: [], onboarding: true })).toEqual([]);
    expect(buildAlerts({ domains: [] })[0]!.action).toBeUndefined();
    expect(buildAlerts({ domains: [], canManageDomains: true })[0]!.action).toEqual({ label: 'Add a domain', href: '~/domains' });
    const mixed = buildAlerts({
      domains: [
        { id: 1, name: 'a.example', status: 'verified' },
        { id: 2, name: 'b.example', status: 'failed' },
        { id: 3, name: 'c.example', status: 'pending' },
      ],
    });
    expect(mixed.map((alert) => alert.id)).toEqual(['domain-failed-2']);
  });
});

describe('dashboard figures and checklist', () => {
  it('formats rates, keeping two decimals for small ones', () => {
    expect(formatRate(0.2345)).toBe('23.5%');
    expect(formatRate(0.0012)).toBe('0.12%');
    expect(formatRate(0)).toBe('0%');
  });

  it('estimates delivery as sent minus bounces when the provider reports no deliveries', () => {
    const totals = { sent: 1000, delivered: 0, bounces: 20 } as never;
    expect(deliveryRate({ totals, rates: { delivered_base: 'sent_minus_bounces' } as never })).toBe(0.98);
  });

  it('shows the checklist until a campaign went out, and says who can do a step', () => {
    const steps = checklistSteps({ contacts: 10, templates: 1, domains: [{ id: 1, name: 'a.example', status: 'verified' }], campaigns: { sent: false, draftId: 9 } });
    expect(steps.map((step) => step.state)).toEqual(['done', 'done', 'done', 'todo']);
    expect(steps[3]!.action).toEqual({ label: 'Continue your draft', href: '~/campaigns/9', permission: 'campaigns:write' });
    expect(showChecklist(steps)).toBe(true);
    expect(showChecklist(checklistSteps({ contacts: 0, templates: 0, domains: [], campaigns: { sent: true, draftId: null } }))).toBe(false);
    expect(showChecklist(checklistSteps({ contacts: 0, templates: 0, domains: [], campaigns: undefined }))).toBe(false);
    expect(whoCan('domains:manage')).toBe('Ask an owner or admin to do this step.');
    expect(whoCan('contacts:import')).toBe('Ask an owner, admin or campaign manager to do this step.');
  });
});
