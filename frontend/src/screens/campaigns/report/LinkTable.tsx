import { useCampaignLinks, type Campaign, type LinkStats } from '../../../api/campaigns.ts';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Card, CardHeader, DataTable, EmptyState, type Column } from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import { formatPercent } from '../common.tsx';

/** Only web addresses become links: a `javascript:` or `data:` URL in a template stays text. */
function isWebUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:';
  } catch {
    return false;
  }
}

const COLUMNS: Column<LinkStats>[] = [
  {
    id: 'url',
    header: 'Link',
    className: 'max-w-0 w-full',
    cell: (link) =>
      isWebUrl(link.url) ? (
        <a
          href={link.url}
          target="_blank"
          rel="noopener noreferrer"
          className="block truncate font-medium text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
          title={link.url}
        >
          {link.url}
        </a>
      ) : (
        <span className="block truncate text-slate-700" title={link.url}>
          {link.url}
        </span>
      ),
  },
  { id: 'clicks', header: 'Clicks', className: 'text-right tabular-nums', cell: (link) => formatNumber(link.clicks) },
  {
    id: 'unique',
    header: 'Unique clicks',
    className: 'hidden sm:table-cell text-right tabular-nums',
    cell: (link) => formatNumber(link.unique_clicks),
  },
  {
    id: 'share',
    header: 'Share of clicks',
    className: 'w-40',
    cell: (link) => (
      <div className="flex items-center gap-2">
        <div className="h-2 w-20 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
          <div className="h-full rounded-full bg-indigo-500" style={{ width: `${Math.min(100, link.share * 100)}%` }} />
        </div>
        <span className="text-sm text-slate-600 tabular-nums">{formatPercent(link.share)}</span>
      </div>
    ),
  },
];

/** Clicks per link of the campaign, most clicked first. */
export function LinkTable({ campaign }: { campaign: Campaign }) {
  const links = useCampaignLinks(campaign.id);
  const rows = links.data?.links ?? [];
  return (
    <Card aria-labelledby="links-title">
      <CardHeader
        titleId="links-title"
        title="Links"
        description={links.data && links.data.total_clicks > 0 ? `${formatNumber(links.data.total_clicks)} clicks by people in all.` : undefined}
      />
      {links.isError ? (
        <QueryError error={links.error} onRetry={() => void links.refetch()} />
      ) : (
        <DataTable
          caption="Links"
          columns={COLUMNS}
          rows={rows}
          rowKey={(link) => link.index}
          loading={links.isPending}
          empty={
            <EmptyState
              icon={<MoreIcon name="code" className="size-6" />}
              title={campaign.track_clicks ? 'No links to count' : 'Clicks were not tracked'}
              description={
                campaign.track_clicks
                  ? 'The email has no tracked links. Clicks on links appear here as people open it.'
                  : 'Click tracking was off for this campaign. Turn it on in the settings of your next campaign to see which links work.'
              }
            />
          }
        />
      )}
    </Card>
  );
}
