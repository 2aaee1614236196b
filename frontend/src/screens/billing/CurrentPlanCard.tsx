import type { Subscription, SubscriptionStatus } from '../../api/billing.ts';
import { Icon } from '../../components/Icon.tsx';
import { Alert, Badge, Button, Card, CardBody, CardHeader, type BadgeTone } from '../../components/ui/index.ts';
import { formatDate, formatMoney } from '../../lib/format.ts';
import { planFeatures } from './meters.ts';

const STATUS: Record<SubscriptionStatus, { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'success' },
  trialing: { label: 'Trial', tone: 'brand' },
  past_due: { label: 'Past due', tone: 'danger' },
  canceled: { label: 'Canceled', tone: 'neutral' },
};

export function SubscriptionStatusBadge({ status }: { status: SubscriptionStatus }) {
  const view = STATUS[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={view.tone}>{view.label}</Badge>;
}

/**
 * What a past-due subscription means for sending, with the dates in the reader's format;
 * the server's own sentence when a date is missing.
 */
export function pastDueText(subscription: Subscription): string {
  const { grace_ends_at: graceEnds, past_due_since: since, sending_message: message } = subscription;
  if (subscription.sending_allowed) {
    return graceEnds
      ? `Sending continues until ${formatDate(graceEnds)} while Stripe retries the payment. Update the payment method to avoid a pause.`
      : (message ?? 'Sending continues while Stripe retries the payment.');
  }
  return since && graceEnds
    ? `A payment has been overdue since ${formatDate(since)} and the grace period ended on ${formatDate(graceEnds)}. Pay the open invoice to resume sending.`
    : (message ?? 'Pay the open invoice to resume sending.');
}

/** The sentence about the period: renewal, trial end, cancellation. */
export function periodText(subscription: Subscription): string {
  const end = formatDate(subscription.current_period_end);
  switch (subscription.status) {
    case 'trialing':
      return `Trial until ${end}: the first payment is taken then.`;
    case 'canceled':
      return 'The paid subscription ended: the Free plan’s limits apply.';
    case 'past_due':
      return `Current period ends on ${end}.`;
    default:
      if (subscription.cancel_at_period_end) return `Ends on ${end}; the organization then returns to Free.`;
      if (subscription.managed_by === 'stripe') return `Renews on ${end}.`;
      return `Usage resets on ${end}.`;
  }
}

export function CurrentPlanCard({
  subscription,
  onManage,
  managing,
  manageDisabled,
  canManage = true,
}: {
  subscription: Subscription;
  onManage: () => void;
  managing: boolean;
  manageDisabled: boolean;
  /** The role may change billing (owners): otherwise the portal is not offered. */
  canManage?: boolean;
}) {
  const { plan } = subscription;
  const canOpenPortal = subscription.billing_account && canManage;
  const portalButton = (label: string, variant: 'primary' | 'secondary' = 'secondary') => (
    <Button variant={variant} onClick={onManage} loading={managing} disabled={manageDisabled}>
      {label}
    </Button>
  );

  return (
    <Card aria-labelledby="plan-title" className="h-full">
      <CardHeader titleId="plan-title" title="Current plan" actions={canOpenPortal ? portalButton('Manage billing') : undefined} />
      <CardBody className="space-y-4">
        <div>
          <div className="flex flex-wrap items-center gap-3">
            <p className="text-2xl font-semibold tracking-tight text-slate-900" data-testid="current-plan">
              {plan.name}
            </p>
            <SubscriptionStatusBadge status={subscription.status} />
          </div>
          <p className="mt-1 text-sm text-slate-600">
            {plan.price_cents === 0 ? 'Free of charge' : `${formatMoney(plan.price_cents, plan.currency, { whole: true })} a month`}
          </p>
          <p className="mt-1 text-sm text-slate-500">{periodText(subscription)}</p>
        </div>
        {subscription.status === 'past_due' && (
          <Alert
            tone={subscription.sending_allowed ? 'warning' : 'danger'}
            title={subscription.sending_allowed ? 'A payment failed' : 'Sending is paused'}
            actions={canOpenPortal ? portalButton('Update payment method', 'primary') : undefined}
          >
            {pastDueText(subscription)}
          </Alert>
        )}
        {subscription.status !== 'past_due' && subscription.sending_message && (
          <Alert tone="warning">{subscription.sending_message}</Alert>
        )}
        <ul className="space-y-1.5 border-t border-slate-100 pt-4 text-sm text-slate-700" aria-label={`Included in ${plan.name}`}>
          {planFeatures(plan).map((line) => (
            <li key={line} className="flex gap-2">
              <Icon name="check" className="mt-0.5 size-4 text-indigo-600" />
              {line}
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}
