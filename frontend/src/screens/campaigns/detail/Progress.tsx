import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { campaignKeys, useCampaignProgress, type Campaign, type CampaignProgress } from '../../../api/campaigns.ts';
import { QueryError } from '../../../components/QueryError.tsx';
import { Card, CardBody, CardHeader, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import { Figure, formatDuration } from '../common.tsx';

const HEADINGS: Record<string, string> = {
  sending: 'Sending',
  paused: 'Paused',
  sent: 'Sent',
  cancelled: 'Cancelled',
  failed: 'Stopped',
};

/** Recipients per second as people read it: "42 emails/s", "0.5 emails/s". */
function rate(value: number): string {
  return `${value >= 10 ? formatNumber(Math.round(value)) : value.toFixed(1)} emails/s`;
}

/** The speed figure: live while sending, the average once done; null when not computable. */
export function throughput(stats: CampaignProgress): { value: string; note: string } | null {
  if (stats.status === 'sending') {
    const speed = stats.rate_per_second || stats.average_rate_per_second;
    if (!speed) return null;
    return {
      value: rate(speed),
      note: stats.eta_seconds ? `About ${formatDuration(stats.eta_seconds)} left` : stats.rate_per_second ? 'Over the last minute' : 'On average',
    };
  }
  if (!stats.average_rate_per_second) return null;
  return {
    value: rate(stats.average_rate_per_second),
    note: stats.elapsed_seconds ? `On average, over ${formatDuration(stats.elapsed_seconds)}` : 'On average',
  };
}

function Bar({ stats }: { stats: CampaignProgress }) {
  const total = Math.max(stats.recipients, 1);
  const width = (count: number) => `${Math.min(100, (count / total) * 100)}%`;
  const percent = Math.floor(Math.min(100, Math.max(0, stats.percent)));
  return (
    <div
      role="progressbar"
      aria-label="Delivery progress"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}%: ${formatNumber(stats.sent)} of ${formatNumber(stats.recipients)} sent`}
      className="flex h-3 overflow-hidden rounded-full bg-slate-200"
    >
      <div className="h-full bg-indigo-600 transition-[width] duration-500" style={{ width: width(stats.sent) }} />
      <div className="h-full bg-rose-500 transition-[width] duration-500" style={{ width: width(stats.failed) }} />
      <div className="h-full bg-slate-400 transition-[width] duration-500" style={{ width: width(stats.skipped) }} />
    </div>
  );
}

/** Live delivery progress: asked every 2 s while the campaign is sending. */
export function DeliveryProgress({ campaign }: { campaign: Campaign }) {
  const progress = useCampaignProgress(campaign.id);
  const client = useQueryClient();
  const stats = progress.data;

  // The campaign moved on (finished, paused by the pipeline): the page's status follows.
  useEffect(() => {
    if (stats && stats.status !== campaign.status) {
      void client.invalidateQueries({ queryKey: campaignKeys.detail(campaign.id) });
      void client.invalidateQueries({ queryKey: campaignKeys.lists });
    }
  }, [stats, campaign.status, campaign.id, client]);

  if (progress.isError) {
    return (
      <Card>
        <QueryError error={progress.error} onRetry={() => void progress.refetch()} />
      </Card>
    );
  }
  if (!stats) {
    return (
      <Card>
        <CardBody>
          <LoadingRegion label="Loading the progress…">
            <Skeleton className="h-3 w-full" />
            <Skeleton className="mt-6 h-16 w-full" />
          </LoadingRegion>
        </CardBody>
      </Card>
    );
  }

  const speed = throughput(stats);
  const percent = Math.floor(Math.min(100, Math.max(0, stats.percent)));
  return (
    <Card aria-labelledby="progress-title">
      <CardHeader
        titleId="progress-title"
        title="Delivery"
        description={stats.status === 'sending' ? 'Updated every few seconds while sending.' : undefined}
      />
      <CardBody className="space-y-5">
        <div className="flex items-baseline justify-between gap-4">
          <p className="text-sm font-medium text-slate-900">
            {HEADINGS[stats.status] ?? stats.status}: {formatNumber(stats.sent)} of {formatNumber(stats.recipients)} sent
          </p>
          <p className="text-2xl font-semibold text-slate-900 tabular-nums" data-testid="progress-percent">
            {percent}%
          </p>
        </div>
        <Bar stats={stats} />
        <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          <Figure label="Sent" value={formatNumber(stats.sent)} tone="text-indigo-700" testId="progress-sent" />
          <Figure
            label="Failed"
            value={formatNumber(stats.failed)}
            tone={stats.failed ? 'text-rose-700' : 'text-slate-900'}
            note={stats.skipped ? `${formatNumber(stats.skipped)} skipped: unsubscribed or suppressed since` : undefined}
            testId="progress-failed"
          />
          {stats.cancelled > 0 && stats.queued === 0 ? (
            <Figure label="Cancelled" value={formatNumber(stats.cancelled)} note="Never sent" testId="progress-cancelled" />
          ) : (
            <Figure label="Queued" value={formatNumber(stats.queued)} note="Not sent yet" testId="progress-queued" />
          )}
          <Figure label="Speed" value={speed?.value ?? '—'} note={speed?.note} testId="progress-speed" />
        </dl>
        {stats.errors.length > 0 && (
          <div>
            <h3 className="text-sm font-medium text-slate-900">Latest delivery errors</h3>
            <ul className="mt-2 space-y-1 text-sm text-rose-800">
              {stats.errors.map((error) => (
                <li key={error} className="rounded-md bg-rose-50 px-3 py-2 break-words">
                  {error}
                </li>
              ))}
            </ul>
          </div>
        )}
      </CardBody>
    </Card>
  );
}
