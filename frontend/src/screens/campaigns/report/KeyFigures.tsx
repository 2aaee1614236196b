import type { CampaignStats } from '../../../api/analytics.ts';
import type { Campaign } from '../../../api/campaigns.ts';
import { QueryError } from '../../../components/QueryError.tsx';
import { Card, CardBody, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import { Figure, formatPercent } from '../common.tsx';

/** How many were delivered: the provider's count, or sent minus bounces when it reports none. */
export function deliveredCount(stats: CampaignStats): number {
  return stats.rates.delivered_base === 'delivered' ? stats.delivered : Math.max(stats.sent - stats.bounces, 0);
}

function MachineActivity({ stats, campaign }: { stats: CampaignStats; campaign: Campaign }) {
  if (!campaign.track_opens && !campaign.track_clicks) return null;
  const share = stats.rates.machine_open_share;
  return (
    <Card aria-labelledby="machine-title">
      <CardBody className="flex flex-col gap-3 sm:flex-row sm:items-start sm:gap-6">
        <dl className="flex shrink-0 gap-6">
          <div>
            <dt className="text-sm text-slate-500">Machine opens</dt>
            <dd className="mt-1 text-xl font-semibold text-slate-700 tabular-nums" data-testid="machine-opens">
              {formatNumber(stats.machine_opens)}
            </dd>
            {stats.machine_opens > 0 && <dd className="text-xs text-slate-500">{formatPercent(share)} of all opens</dd>}
          </div>
          <div>
            <dt className="text-sm text-slate-500">Machine clicks</dt>
            <dd className="mt-1 text-xl font-semibold text-slate-700 tabular-nums">{formatNumber(stats.machine_clicks)}</dd>
          </div>
        </dl>
        <div className="text-sm text-slate-600">
          <h3 id="machine-title" className="font-medium text-slate-900">
            Counted apart: opens and clicks by machines
          </h3>
          <p className="mt-1">
            Apple Mail Privacy Protection and some webmail image proxies load every image when the mail arrives, and company security
            scanners follow links before anyone reads. EngageX recognises them and leaves them out of the figures and rates above,
            so those reflect people.
          </p>
        </div>
      </CardBody>
    </Card>
  );
}

/** Delivered, opens, clicks, bounces, complaints and unsubscribes, with their rates. */
export function KeyFigures({
  stats,
  error,
  onRetry,
  campaign,
}: {
  stats: CampaignStats | undefined;
  error: unknown;
  onRetry: () => void;
  campaign: Campaign;
}) {
  if (error) {
    return (
      <Card>
        <QueryError error={error} onRetry={onRetry} />
      </Card>
    );
  }
  if (!stats) {
    return (
      <LoadingRegion label="Loading the figures…">
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-6">
          {Array.from({ length: 6 }, (_, index) => (
            <Skeleton key={index} className="h-24" />
          ))}
        </div>
      </LoadingRegion>
    );
  }
  const { rates } = stats;
  const base = rates.delivered_base === 'delivered' ? 'of delivered' : 'of sent minus bounced';
  return (
    <section aria-labelledby="figures-title" className="space-y-3">
      <h2 id="figures-title" className="sr-only">
        Key figures
      </h2>
      <dl className="grid grid-cols-2 gap-3 lg:grid-cols-3 xl:grid-cols-6">
        <Figure label="Delivered" value={formatNumber(deliveredCount(stats))} note={`of ${formatNumber(stats.sent)} sent`} testId="figure-delivered" />
        <Figure
          label="Unique opens"
          value={campaign.track_opens ? formatNumber(stats.unique_opens) : '—'}
          note={campaign.track_opens ? `${formatPercent(rates.open_rate)} ${base}` : 'Opens were not tracked'}
          testId="figure-opens"
        />
        <Figure
          label="Unique clicks"
          value={campaign.track_clicks ? formatNumber(stats.unique_clicks) : '—'}
          note={
            campaign.track_clicks
              ? `${formatPercent(rates.click_rate)} ${base}${stats.unique_opens ? `, ${formatPercent(rates.click_to_open_rate)} of openers` : ''}`
              : 'Clicks were not tracked'
          }
          testId="figure-clicks"
        />
        <Figure
          label="Bounces"
          value={formatNumber(stats.bounces)}
          note={`${formatPercent(rates.bounce_rate)} of sent${stats.soft_bounces ? `, plus ${formatNumber(stats.soft_bounces)} soft` : ''}`}
          tone={rates.bounce_rate >= 0.05 ? 'text-rose-700' : 'text-slate-900'}
          testId="figure-bounces"
        />
        <Figure
          label="Complaints"
          value={formatNumber(stats.complaints)}
          note={`${formatPercent(rates.complaint_rate)} ${base}`}
          tone={rates.complaint_rate >= 0.001 ? 'text-rose-700' : 'text-slate-900'}
          testId="figure-complaints"
        />
        <Figure label="Unsubscribes" value={formatNumber(stats.unsubscribes)} note={`${formatPercent(rates.unsubscribe_rate)} ${base}`} testId="figure-unsubscribes" />
      </dl>
      {rates.delivered_base === 'sent_minus_bounces' && (
        <p className="text-xs text-slate-500">
          Your mail server does not report deliveries, so rates are out of the messages sent minus those that bounced.
        </p>
      )}
      <MachineActivity stats={stats} campaign={campaign} />
    </section>
  );
}
