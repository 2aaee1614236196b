import { useId } from 'react';
import type { Plan, Subscription } from '../../api/billing.ts';
import { Icon } from '../../components/Icon.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Badge, Button, Card, LoadingRegion, Skeleton } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { formatMoney } from '../../lib/format.ts';
import { planAction, planFeatures } from './meters.ts';

function PlanCard({
  plan,
  subscription,
  busyPlan,
  disabled,
  canManage,
  onCheckout,
  onPortal,
}: {
  plan: Plan;
  subscription: Subscription;
  busyPlan: string | null;
  disabled: boolean;
  canManage: boolean;
  onCheckout: (plan: Plan) => void;
  onPortal: (plan: Plan) => void;
}) {
  const titleId = useId();
  const planned = planAction(plan, subscription);
  // A role that may not change billing sees the plans, without their buttons.
  const action = canManage || planned.kind === 'current' ? planned : null;
  const current = planned.kind === 'current';
  return (
    <article
      aria-labelledby={titleId}
      className={cn(
        'flex flex-col rounded-xl border bg-white p-5 shadow-xs',
        current ? 'border-indigo-300 ring-1 ring-indigo-300' : 'border-slate-200',
      )}
    >
      <div className="flex items-center justify-between gap-2">
        <h3 id={titleId} className="text-base font-semibold text-slate-900">
          {plan.name}
        </h3>
        {current && <Badge tone="brand">Current plan</Badge>}
      </div>
      <p className="mt-3 flex items-baseline gap-1">
        <span className="text-3xl font-semibold tracking-tight text-slate-900">
          {formatMoney(plan.price_cents, plan.currency, { whole: true })}
        </span>
        <span className="text-sm text-slate-500">/ month</span>
      </p>
      <ul className="mt-4 flex-1 space-y-2 text-sm text-slate-700">
        {planFeatures(plan).map((line) => (
          <li key={line} className="flex gap-2">
            <Icon name="check" className="mt-0.5 size-4 text-indigo-600" />
            {line}
          </li>
        ))}
      </ul>
      <div className="mt-5">
        {action?.kind === 'checkout' && (
          <Button
            className="w-full"
            onClick={() => onCheckout(plan)}
            loading={busyPlan === plan.code}
            disabled={disabled || (busyPlan !== null && busyPlan !== plan.code)}
          >
            {action.label}
          </Button>
        )}
        {action?.kind === 'portal' && (
          <Button
            variant="secondary"
            className="w-full"
            onClick={() => onPortal(plan)}
            loading={busyPlan === plan.code}
            disabled={disabled || (busyPlan !== null && busyPlan !== plan.code)}
          >
            {action.label}
          </Button>
        )}
        {action?.kind === 'current' && <p className="py-2 text-center text-sm font-medium text-indigo-700">Your plan</p>}
        {action?.kind === 'none' && <p className="py-2 text-center text-xs text-slate-500">{action.reason}</p>}
      </div>
    </article>
  );
}

export function PlanCards({
  plans,
  error,
  onRetry,
  subscription,
  busyPlan,
  disabled,
  canManage = true,
  onCheckout,
  onPortal,
}: {
  plans: Plan[] | undefined;
  error: unknown;
  onRetry: () => void;
  subscription: Subscription;
  busyPlan: string | null;
  disabled: boolean;
  canManage?: boolean;
  onCheckout: (plan: Plan) => void;
  onPortal: (plan: Plan) => void;
}) {
  if (error) {
    return (
      <Card>
        <QueryError error={error} onRetry={onRetry} />
      </Card>
    );
  }
  if (!plans) {
    return (
      <LoadingRegion label="Loading plans…">
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
          {[0, 1, 2, 3].map((index) => (
            <Skeleton key={index} className="h-64 rounded-xl" />
          ))}
        </div>
      </LoadingRegion>
    );
  }
  return (
    <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-4">
      {plans.map((plan) => (
        <PlanCard
          key={plan.code}
          plan={plan}
          subscription={subscription}
          busyPlan={busyPlan}
          disabled={disabled}
          canManage={canManage}
          onCheckout={onCheckout}
          onPortal={onPortal}
        />
      ))}
    </div>
  );
}
