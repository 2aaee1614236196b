import { useOverview, type Overview } from '../../api/analytics.ts';
import { useSubscription, useUsage } from '../../api/billing.ts';
import { useDomains } from '../../api/domains.ts';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Card, CardBody, LoadingRegion, Skeleton } from '../../components/ui/index.ts';
import { ActivityChart } from './ActivityChart.tsx';
import { buildAlerts } from './alerts.ts';
import { ButtonLink } from './ButtonLink.tsx';
import { showChecklist } from './checklist.ts';
import { DashboardAlerts } from './DashboardAlerts.tsx';
import { windowText } from './figures.ts';
import { GetStarted } from './GetStarted.tsx';
import { KeyFigures, KeyFiguresSkeleton } from './KeyFigures.tsx';
import { RecentCampaigns } from './RecentCampaigns.tsx';
import { useChecklist } from './useChecklist.ts';

/**
 * The billing period's usage and the subscription (the billing screen's cache), read
 * only by roles that may see billing. A refusal (an API key's role is not known
 * beforehand) just leaves the billing alerts out.
 */
function useBillingStanding(enabled: boolean) {
  const usage = useUsage({ enabled });
  const subscription = useSubscription({ enabled });
  return { usage: usage.data, subscription: subscription.data };
}

function OverviewSection({ overview, canCreate }: { overview: ReturnType<typeof useOverview>; canCreate: boolean }) {
  const data: Overview | undefined = overview.data;
  return (
    <section aria-labelledby="overview-title" className="space-y-4">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h2 id="overview-title" className="text-lg font-semibold text-slate-900">
          Last 30 days
        </h2>
        {data && <p className="text-sm text-slate-500">{windowText(data)} (UTC)</p>}
      </div>
      {overview.isPending ? (
        <>
          <KeyFiguresSkeleton />
          <Card>
            <CardBody>
              <LoadingRegion label="Loading the chart…">
                <Skeleton className="h-60 w-full" />
              </LoadingRegion>
            </CardBody>
          </Card>
        </>
      ) : overview.isError ? (
        <Card>
          <QueryError error={overview.error} onRetry={() => void overview.refetch()} />
        </Card>
      ) : (
        <>
          <KeyFigures overview={overview.data} />
          <ActivityChart overview={overview.data} canCreate={canCreate} />
        </>
      )}
    </section>
  );
}

/**
 * The home page: what needs attention, the first steps of a new organization, the last
 * 30 days in figures and a chart, and the newest campaigns. Each part is shown only to
 * roles that may use it.
 */
export default function DashboardScreen() {
  const can = useCan();
  const canAnalytics = can('analytics:read');
  const canCreate = can('campaigns:write');
  const overview = useOverview(undefined, { enabled: canAnalytics });
  const domains = useDomains();
  const billing = useBillingStanding(can('billing:read'));
  const checklist = useChecklist();
  const onboarding = !checklist.ready || showChecklist(checklist.steps);
  // While the checklist shows, it is the one place that offers the next step.
  const offerCreate = canCreate && !onboarding;

  const alerts = buildAlerts({
    domains: domains.data?.pages.flatMap((page) => page.items),
    onboarding,
    canManageDomains: can('domains:manage'),
    usage: billing.usage,
    subscription: billing.subscription,
    complaints:
      canAnalytics && overview.data
        ? { rate: overview.data.rates.complaint_rate, count: overview.data.totals.complaints }
        : undefined,
  });

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="How your email did over the last 30 days, and anything that needs your attention."
        actions={
          offerCreate ? (
            <ButtonLink href="~/campaigns/new" variant="primary" icon={<Icon name="plus" className="size-4" />}>
              Create campaign
            </ButtonLink>
          ) : undefined
        }
      />
      <div className="space-y-6">
        <DashboardAlerts alerts={alerts} />
        {checklist.ready && showChecklist(checklist.steps) && <GetStarted steps={checklist.steps} />}
        {canAnalytics && <OverviewSection overview={overview} canCreate={offerCreate} />}
        {can('campaigns:read') && <RecentCampaigns canCreate={offerCreate} showRates={canAnalytics} />}
      </div>
    </>
  );
}
