import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useSearch } from 'wouter';
import { useOrganization } from '../../api/accounts.ts';
import {
  billingKeys,
  useCheckout,
  usePlans,
  usePortal,
  useSubscription,
  useUsage,
  type Plan,
} from '../../api/billing.ts';
import { ForbiddenError, describeError } from '../../api/errors.ts';
import { useCan } from '../../auth/viewer.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { PageSkeleton } from '../../components/PageSkeleton.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Alert, Card } from '../../components/ui/index.ts';
import { externalNavigation } from '../../lib/navigation.ts';
import { CurrentPlanCard } from './CurrentPlanCard.tsx';
import { InvoicesCard } from './InvoicesCard.tsx';
import { PlanCards } from './PlanCards.tsx';
import { UsageCard } from './UsageCard.tsx';

/** After Stripe sends the person back, the plan changes when Stripe's webhook arrives. */
const CONFIRMATION_POLL_MS = 3000;
const CONFIRMATION_WAIT_MS = 2 * 60_000;

/** `[A-Za-z0-9_.:-]`, random: the API's operation id of one checkout attempt. */
function newOperationId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `spa-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Checkout and the billing portal: both leave the app for Stripe. Only owners may use
 * them; nothing tells the app the caller's role beforehand, so the server's 403 is
 * remembered and the actions are then disabled with an explanation.
 */
function useBillingManagement() {
  const checkout = useCheckout();
  const portal = usePortal();
  const [busyPlan, setBusyPlan] = useState<string | null>(null);
  const [portalBusy, setPortalBusy] = useState(false);
  const [denied, setDenied] = useState<ForbiddenError | null>(null);
  const [failure, setFailure] = useState<{ title: string; message: string } | null>(null);
  // One operation id per plan while the page lives: retrying the same attempt after a
  // network error returns the same Checkout Session instead of opening a second one.
  const operations = useRef(new Map<string, string>());

  useEffect(() => {
    // Back from Stripe through the browser's back button (page restored from bfcache).
    const onShow = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      setBusyPlan(null);
      setPortalBusy(false);
    };
    window.addEventListener('pageshow', onShow);
    return () => window.removeEventListener('pageshow', onShow);
  }, []);

  const fail = (title: string) => (error: unknown) => {
    setBusyPlan(null);
    setPortalBusy(false);
    if (error instanceof ForbiddenError) setDenied(error);
    else setFailure({ title, message: describeError(error) });
  };

  const startCheckout = (plan: Plan) => {
    let operationId = operations.current.get(plan.code);
    if (!operationId) {
      operationId = newOperationId();
      operations.current.set(plan.code, operationId);
    }
    setFailure(null);
    setBusyPlan(plan.code);
    checkout.mutate(
      { plan: plan.code, operation_id: operationId },
      {
        // Stays busy until the browser has left for Stripe.
        onSuccess: (session) => externalNavigation.assign(session.url),
        onError: fail('Checkout could not be opened'),
      },
    );
  };

  const openPortal = (plan?: Plan) => {
    setFailure(null);
    if (plan) setBusyPlan(plan.code);
    else setPortalBusy(true);
    portal.mutate(undefined, {
      onSuccess: (session) => externalNavigation.assign(session.url),
      onError: fail('The billing portal could not be opened'),
    });
  };

  return { startCheckout, openPortal, busyPlan, portalBusy, denied, failure };
}

function CheckoutReturn({ outcome, confirmed }: { outcome: string | null; confirmed: boolean }) {
  if (outcome === 'success') {
    return (
      <Alert tone="success" title={confirmed ? 'Your plan is active' : 'Thank you: payment received'}>
        {confirmed
          ? 'Stripe confirmed the subscription; the new limits apply now.'
          : 'Your new plan appears here as soon as Stripe confirms the subscription, usually within a minute.'}
      </Alert>
    );
  }
  if (outcome === 'canceled') {
    return (
      <Alert tone="info" title="Checkout canceled">
        Nothing was charged and your plan has not changed.
      </Alert>
    );
  }
  return null;
}

/**
 * Why checkout or the portal did not open. It takes focus when it appears: the buttons
 * that cause it may be far below, and keyboard and screen reader users land on it.
 */
function ManageNotice({
  denied,
  failure,
  organizationName,
}: {
  denied: ForbiddenError | null;
  failure: { title: string; message: string } | null;
  organizationName: string | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!denied && !failure) return;
    box.current?.focus({ preventScroll: true });
    box.current?.scrollIntoView?.({ block: 'center' });
  }, [denied, failure]);
  if (!denied && !failure) return null;
  return (
    <div ref={box} tabIndex={-1} className="scroll-mt-24 rounded-lg focus:outline-none">
      {denied ? (
        <Alert tone="warning" title="Only owners can change the plan or payment details">
          Your role lets you see billing but not manage it. Ask an owner of {organizationName ?? 'the organization'} to do it.
          ({denied.message})
        </Alert>
      ) : (
        failure && <Alert title={failure.title}>{failure.message}</Alert>
      )}
    </div>
  );
}

export default function BillingScreen() {
  const search = new URLSearchParams(useSearch());
  const outcome = search.get('checkout');
  const [waitingForStripe, setWaitingForStripe] = useState(outcome === 'success');
  useEffect(() => {
    if (!waitingForStripe) return;
    const timer = window.setTimeout(() => setWaitingForStripe(false), CONFIRMATION_WAIT_MS);
    return () => window.clearTimeout(timer);
  }, [waitingForStripe]);

  const subscription = useSubscription({
    refetchInterval: waitingForStripe ? CONFIRMATION_POLL_MS : false,
  });
  const confirmed = subscription.data?.managed_by === 'stripe';
  useEffect(() => {
    if (confirmed) setWaitingForStripe(false);
  }, [confirmed]);

  const usage = useUsage();
  const plans = usePlans();
  const organization = useOrganization();
  const manage = useBillingManagement();
  const canManage = useCan()('billing:manage');
  const client = useQueryClient();

  // A new plan or status changes the limits and usually adds an invoice.
  const planKey = subscription.data ? `${subscription.data.plan.code}:${subscription.data.status}` : null;
  const previousPlanKey = useRef(planKey);
  useEffect(() => {
    if (previousPlanKey.current !== null && planKey !== null && planKey !== previousPlanKey.current) {
      void client.invalidateQueries({ queryKey: billingKeys.usage });
      void client.invalidateQueries({ queryKey: billingKeys.invoices });
    }
    previousPlanKey.current = planKey;
  }, [client, planKey]);

  const header = (
    <PageHeader
      title="Billing"
      description="Your plan, what you have used this billing period, and your invoices. Payments are handled by Stripe."
    />
  );

  if (subscription.isPending) {
    return (
      <>
        {header}
        <PageSkeleton />
      </>
    );
  }
  if (subscription.isError) {
    return (
      <>
        {header}
        <Card>
          <QueryError error={subscription.error} onRetry={() => void subscription.refetch()} />
        </Card>
      </>
    );
  }

  const current = subscription.data;
  const denied = manage.denied !== null;
  return (
    <>
      {header}
      <div className="space-y-6">
        <CheckoutReturn outcome={outcome} confirmed={confirmed} />
        <ManageNotice denied={manage.denied} failure={manage.failure} organizationName={organization.data?.name} />
        {!canManage && (
          <Alert tone="info" title="Only owners change the plan or payment details">
            Your role lets you see the plan, usage and invoices. Ask an owner of {organization.data?.name ?? 'the organization'}{' '}
            to upgrade or to update the payment method.
          </Alert>
        )}

        <div className="grid gap-6 lg:grid-cols-5">
          <div className="lg:col-span-2">
            <CurrentPlanCard
              subscription={current}
              onManage={() => manage.openPortal()}
              managing={manage.portalBusy}
              manageDisabled={denied}
              canManage={canManage}
            />
          </div>
          <div className="lg:col-span-3">
            <UsageCard usage={usage.data} error={usage.error} onRetry={() => void usage.refetch()} />
          </div>
        </div>

        <section aria-labelledby="plans-title">
          <h2 id="plans-title" className="text-lg font-semibold text-slate-900">
            Plans
          </h2>
          <p className="mt-1 mb-4 text-sm text-slate-500">
            Monthly prices. A new plan starts as soon as Stripe confirms the payment; you can cancel at any time.
          </p>
          <PlanCards
            plans={plans.data}
            error={plans.error}
            onRetry={() => void plans.refetch()}
            subscription={current}
            busyPlan={manage.busyPlan}
            disabled={denied}
            canManage={canManage}
            onCheckout={manage.startCheckout}
            onPortal={(plan) => manage.openPortal(plan)}
          />
        </section>

        <InvoicesCard />
      </div>
    </>
  );
}
