import { Link } from 'wouter';
import { useCampaignsStats, useRecentCampaigns, type CampaignStats } from '../../api/analytics.ts';
import type { Campaign } from '../../api/campaigns.ts';
import { Icon } from '../../components/Icon.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Card, CardHeader, DataTable, EmptyState, Skeleton, type Column } from '../../components/ui/index.ts';
import { formatDate, formatNumber } from '../../lib/format.ts';
import { CampaignStatusBadge } from '../campaigns/common.tsx';
import { ButtonLink } from './ButtonLink.tsx';
import { formatRate } from './figures.ts';

export const RECENT_LIMIT = 5;

/** When the campaign went out, or will, or was last touched. */
export function campaignWhen(campaign: Campaign): string {
  if (campaign.status === 'scheduled' && campaign.scheduled_at) return `Scheduled for ${formatDate(campaign.scheduled_at)}`;
  if (campaign.finished_at) return `Sent ${formatDate(campaign.finished_at)}`;
  if (campaign.started_at) return `Started ${formatDate(campaign.started_at)}`;
  return `Created ${formatDate(campaign.created_at)}`;
}

function Rate({ stats, value }: { stats: { data?: CampaignStats | undefined; isPending: boolean } | undefined; value: (stats: CampaignStats) => number }) {
  if (!stats) return <span className="text-slate-400">—</span>;
  if (stats.isPending) return <Skeleton className="ml-auto h-4 w-10" />;
  if (!stats.data || stats.data.sent === 0) return <span className="text-slate-400">—</span>;
  return <span className="tabular-nums">{formatRate(value(stats.data))}</span>;
}

/** The five newest campaigns with their status and, once sent, open and click rates. */
export function RecentCampaigns({ canCreate, showRates }: { canCreate: boolean; showRates: boolean }) {
  const recent = useRecentCampaigns(RECENT_LIMIT);
  const rows = recent.data?.items ?? [];
  const withSends = rows.filter((campaign) => campaign.counts.sent > 0).map((campaign) => campaign.id);
  const stats = useCampaignsStats(withSends, { enabled: showRates });
  const statsOf = (id: number) => {
    const index = withSends.indexOf(id);
    return index < 0 ? undefined : stats[index];
  };

  const columns: Column<Campaign>[] = [
    {
      id: 'name',
      header: 'Campaign',
      cell: (campaign) => (
        <div className="min-w-0">
          <Link
            href={`~/campaigns/${campaign.id}`}
            className="font-medium break-words text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {campaign.name}
          </Link>
          <p className="mt-0.5 flex flex-wrap items-center gap-x-2 gap-y-1 text-xs text-slate-500">
            <span className="sm:hidden">
              <CampaignStatusBadge status={campaign.status} />
            </span>
            {campaignWhen(campaign)}
          </p>
        </div>
      ),
    },
    { id: 'status', header: 'Status', className: 'hidden sm:table-cell', cell: (campaign) => <CampaignStatusBadge status={campaign.status} /> },
    {
      id: 'sent',
      header: 'Sent',
      className: 'hidden md:table-cell text-right tabular-nums',
      cell: (campaign) => (campaign.counts.sent > 0 ? formatNumber(campaign.counts.sent) : <span className="text-slate-400">—</span>),
    },
    ...(showRates
      ? [
          {
            id: 'opens',
            header: 'Opens',
            className: 'text-right',
            cell: (campaign: Campaign) => <Rate stats={statsOf(campaign.id)} value={(s) => s.rates.open_rate} />,
          },
          {
            id: 'clicks',
            header: 'Clicks',
            className: 'hidden sm:table-cell text-right',
            cell: (campaign: Campaign) => <Rate stats={statsOf(campaign.id)} value={(s) => s.rates.click_rate} />,
          },
        ]
      : []),
  ];

  const createLink = canCreate ? (
    <ButtonLink href="~/campaigns/new" variant="primary" icon={<Icon name="plus" className="size-4" />}>
      Create a campaign
    </ButtonLink>
  ) : undefined;

  return (
    <Card aria-labelledby="recent-campaigns-title">
      <CardHeader
        titleId="recent-campaigns-title"
        title="Recent campaigns"
        description="The newest first. Rates count people who opened or clicked among those who received the email."
        actions={
          rows.length > 0 ? (
            <ButtonLink href="~/campaigns" variant="ghost" size="sm">
              All campaigns
            </ButtonLink>
          ) : undefined
        }
      />
      {recent.isError ? (
        <QueryError error={recent.error} onRetry={() => void recent.refetch()} />
      ) : (
        <DataTable
          caption="Recent campaigns"
          columns={columns}
          rows={rows}
          rowKey={(campaign) => campaign.id}
          loading={recent.isPending}
          empty={
            <EmptyState
              icon={<Icon name="campaigns" className="size-6" />}
              title="No campaigns yet"
              description="A campaign sends one of your templates to a group or segment of your contacts. The newest appear here with their results."
              action={createLink}
            />
          }
        />
      )}
    </Card>
  );
}
