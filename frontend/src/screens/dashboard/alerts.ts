/**
 * What needs attention, gathered from existing APIs: sending domains, the billing
 * period's quotas, the subscription's standing and the complaint rate. Each input is
 * optional: what could not be read (no permission, an error) raises nothing.
 */

import type { Usage, Subscription } from '../../api/billing.ts';
import type { Domain } from '../../api/domains.ts';
import { formatDate } from '../../lib/format.ts';
import { meterView, meterLevel, type MeterKind } from '../billing/meters.ts';
import { pastDueText } from '../billing/CurrentPlanCard.tsx';
import { complaintLevel, formatRate } from './figures.ts';

export type AlertTone = 'danger' | 'warning' | 'info';

export interface DashboardAlert {
  id: string;
  tone: AlertTone;
  title: string;
  body: string;
  action?: { label: string; href: string };
}

export interface AlertInput {
  domains?: readonly Pick<Domain, 'id' | 'name' | 'status'>[] | undefined;
  /** The Get started checklist covers the sending domain: no alert about it then. */
  onboarding?: boolean;
  canManageDomains?: boolean;
  usage?: Usage | undefined;
  subscription?: Subscription | undefined;
  complaints?: { rate: number; count: number } | undefined;
}

function domainAlerts(domains: readonly Pick<Domain, 'id' | 'name' | 'status'>[], canManage: boolean): DashboardAlert[] {
  if (domains.length === 0) {
    return [
      {
        id: 'domain-none',
        tone: 'warning',
        title: 'No sending domain yet',
        body: 'Campaigns can be sent only from an address at a verified domain. Add yours and publish its DNS records.',
        ...(canManage ? { action: { label: 'Add a domain', href: '~/domains' } } : {}),
      },
    ];
  }
  const verified = domains.filter((domain) => domain.status === 'verified');
  if (verified.length === 0) {
    const first = domains[0]!;
    return [
      {
        id: 'domain-unverified',
        tone: 'warning',
        title: 'No verified sending domain',
        body:
          domains.length === 1
            ? `Campaigns cannot be sent until ${first.name} is verified. Publish its DNS records, then check them.`
            : `Campaigns cannot be sent until one of your ${domains.length} domains is verified. Publish their DNS records, then check them.`,
        action: { label: domains.length === 1 ? `Set up ${first.name}` : 'See domains', href: domains.length === 1 ? `~/domains/${first.id}` : '~/domains' },
      },
    ];
  }
  // A domain that was set up and now fails its check: mail from it stops being trusted.
  return domains
    .filter((domain) => domain.status === 'failed')
    .map((domain) => ({
      id: `domain-failed-${domain.id}`,
      tone: 'info' as const,
      title: `${domain.name} needs attention`,
      body: 'Some of its DNS records were not found at the last check. Campaigns cannot use addresses at this domain until they are fixed.',
      action: { label: `Check ${domain.name}`, href: `~/domains/${domain.id}` },
    }));
}

const METER_TITLES: Record<'emails' | 'contacts', { full: string; near: string }> = {
  emails: { full: 'Email quota reached', near: 'Email quota almost used' },
  contacts: { full: 'Contact limit reached', near: 'Contact limit almost reached' },
};

function usageAlerts(usage: Usage): DashboardAlert[] {
  const renews = formatDate(usage.period_end);
  const alerts: DashboardAlert[] = [];
  for (const kind of ['emails', 'contacts'] as const satisfies readonly MeterKind[]) {
    const meter = usage[kind];
    const level = meterLevel(meter);
    if (level !== 'warning' && level !== 'critical') continue;
    const view = meterView(kind, meter, renews);
    alerts.push({
      id: `quota-${kind}`,
      tone: level === 'critical' ? 'danger' : 'warning',
      title: level === 'critical' ? METER_TITLES[kind].full : METER_TITLES[kind].near,
      body: `${view.valueText} (${view.percent ?? 0}%). ${view.note ?? ''}`.trim(),
      action: { label: 'See plans and usage', href: '~/billing' },
    });
  }
  return alerts;
}

function billingAlerts(subscription: Subscription): DashboardAlert[] {
  const action = { label: 'Open billing', href: '~/billing' };
  if (subscription.status === 'past_due') {
    return [
      {
        id: 'billing-past-due',
        tone: subscription.sending_allowed ? 'warning' : 'danger',
        title: subscription.sending_allowed ? 'A payment failed' : 'Sending is paused',
        body: pastDueText(subscription),
        action,
      },
    ];
  }
  if (!subscription.sending_allowed) {
    return [
      {
        id: 'billing-sending',
        tone: 'danger',
        title: 'Sending is paused',
        body: subscription.sending_message ?? 'Campaigns cannot be sent right now. Billing has the details.',
        action,
      },
    ];
  }
  return [];
}

function complaintAlerts({ rate, count }: { rate: number; count: number }): DashboardAlert[] {
  const level = complaintLevel(rate);
  if (level === 'ok') return [];
  const reports = `${count} ${count === 1 ? 'person' : 'people'} marked your mail as spam in the last 30 days.`;
  return [
    level === 'danger'
      ? {
          id: 'complaints',
          tone: 'danger',
          title: `Complaint rate ${formatRate(rate)}: sending is at risk`,
          body: `${reports} From 0.3% mailbox providers start rejecting your mail and EngageX pauses sending campaigns. Send only to people who asked for your email, and make unsubscribing easy.`,
        }
      : {
          id: 'complaints',
          tone: 'warning',
          title: `Complaint rate ${formatRate(rate)}: above Gmail's 0.1% guideline`,
          body: `${reports} Check that everyone you send to signed up, and remove contacts who stopped opening.`,
        },
  ];
}

const ORDER: Record<AlertTone, number> = { danger: 0, warning: 1, info: 2 };

/** Every alert that applies, the most urgent first. */
export function buildAlerts(input: AlertInput): DashboardAlert[] {
  const alerts = [
    ...(input.subscription ? billingAlerts(input.subscription) : []),
    ...(input.usage ? usageAlerts(input.usage) : []),
    ...(input.complaints ? complaintAlerts(input.complaints) : []),
    ...(input.domains && !input.onboarding ? domainAlerts(input.domains, input.canManageDomains ?? false) : []),
  ];
  // A stable sort: alerts of the same tone keep the order above.
  return alerts.sort((a, b) => ORDER[a.tone] - ORDER[b.tone]);
}
