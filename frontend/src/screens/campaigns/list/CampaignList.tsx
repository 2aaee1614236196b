import { useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import { CAMPAIGN_STATUSES, useCampaigns, useDuplicateCampaign, type Campaign, type CampaignStatus } from '../../../api/campaigns.ts';
import { describeError } from '../../../api/errors.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import {
  Button,
  Card,
  DataTable,
  EmptyState,
  Menu,
  MenuItem,
  MenuSeparator,
  Select,
  useToast,
  type Column,
} from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import {
  CampaignStatusBadge,
  STATUS_FILTER_LABELS,
  campaignWhen,
  hasStarted,
  isActive,
  linkButtonClass,
} from '../common.tsx';
import { DeleteCampaignDialog } from './DeleteCampaignDialog.tsx';

/** The status filter of the list, from the query string (`?status=sent`). */
export function statusFromSearch(search: string): CampaignStatus | null {
  const status = new URLSearchParams(search).get('status');
  return status && (CAMPAIGN_STATUSES as readonly string[]).includes(status) ? (status as CampaignStatus) : null;
}

const FILTER_OPTIONS = [
  { value: '', label: 'All campaigns' },
  ...CAMPAIGN_STATUSES.map((status) => ({ value: status, label: STATUS_FILTER_LABELS[status] })),
];

function SentCell({ campaign }: { campaign: Campaign }) {
  if (!hasStarted(campaign)) return <span className="text-slate-400">—</span>;
  const { sent, recipients, failed } = campaign.counts;
  return (
    <div className="tabular-nums">
      <span className="font-medium text-slate-900">{formatNumber(sent)}</span>
      <span className="text-slate-500"> of {formatNumber(recipients)}</span>
      {failed > 0 && <p className="text-xs text-rose-700">{formatNumber(failed)} failed</p>}
    </div>
  );
}

/** /campaigns: every campaign, newest first, with its status, progress and actions. */
export function CampaignList() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const status = useMemo(() => statusFromSearch(search), [search]);
  const campaigns = useCampaigns(status);
  const duplicate = useDuplicateCampaign();
  const toast = useToast();
  const can = useCan();
  const canWrite = can('campaigns:write');
  const [deleting, setDeleting] = useState<Campaign | null>(null);
  const rows = campaigns.data?.pages.flatMap((page) => page.items) ?? [];

  // Writers continue a draft where it stands; everyone else reads its page.
  const href = (campaign: Campaign) => (campaign.status === 'draft' && canWrite ? `/${campaign.id}/edit` : `/${campaign.id}`);

  const copy = (campaign: Campaign) =>
    duplicate.mutate(
      { id: campaign.id },
      {
        onSuccess: (created) => {
          toast.success('Campaign duplicated', `“${created.name}” is a new draft with the same audience, template and sender.`);
          navigate(`/${created.id}/edit`);
        },
        onError: (error) => toast.error('The campaign was not duplicated', describeError(error)),
      },
    );

  const newButton = canWrite ? (
    <Link href="/new" className={linkButtonClass('primary')}>
      <Icon name="plus" className="size-4" />
      New campaign
    </Link>
  ) : undefined;

  const columns: Column<Campaign>[] = [
    {
      id: 'name',
      header: 'Campaign',
      cell: (campaign) => (
        <div className="min-w-0">
          <Link
            href={href(campaign)}
            className="font-medium break-words text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {campaign.name}
          </Link>
          <p className="mt-0.5 text-xs text-slate-500 md:hidden">{campaignWhen(campaign)}</p>
          <p className="mt-1 sm:hidden">
            <CampaignStatusBadge status={campaign.status} />
          </p>
        </div>
      ),
    },
    {
      id: 'status',
      header: 'Status',
      className: 'hidden sm:table-cell',
      cell: (campaign) => <CampaignStatusBadge status={campaign.status} />,
    },
    { id: 'sent', header: 'Sent', className: 'hidden md:table-cell whitespace-nowrap', cell: (campaign) => <SentCell campaign={campaign} /> },
    { id: 'when', header: 'Date', className: 'hidden md:table-cell', cell: (campaign) => campaignWhen(campaign) },
    {
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px text-right',
      cell: (campaign) => {
        const report = hasStarted(campaign);
        const deletable = canWrite && !isActive(campaign);
        if (!report && !canWrite) return null;
        return (
          <Menu
            label={`Actions for ${campaign.name}`}
            triggerClassName="ml-auto size-8 justify-center text-slate-500 hover:bg-slate-100 hover:text-slate-700"
            trigger={<Icon name="more" />}
          >
            {report && (
              <MenuItem restoreFocus={false} onSelect={() => navigate(`/${campaign.id}/report`)} icon={<MoreIcon name="eye" className="size-4" />}>
                View report
              </MenuItem>
            )}
            {canWrite && (
              <MenuItem restoreFocus={false} onSelect={() => copy(campaign)} icon={<MoreIcon name="file" className="size-4" />}>
                Duplicate
              </MenuItem>
            )}
            {deletable && (
              <>
                <MenuSeparator />
                <MenuItem tone="danger" onSelect={() => setDeleting(campaign)} icon={<Icon name="trash" className="size-4" />}>
                  Delete
                </MenuItem>
              </>
            )}
          </Menu>
        );
      },
    },
  ];

  const filteredEmpty = status ? (
    <EmptyState
      icon={<Icon name="campaigns" className="size-6" />}
      title={`No ${STATUS_FILTER_LABELS[status].toLowerCase()} campaigns`}
      description="Campaigns in other states are hidden by the filter."
      action={
        <Button variant="secondary" onClick={() => navigate('', { replace: true })}>
          Show all campaigns
        </Button>
      }
    />
  ) : (
    <EmptyState
      icon={<Icon name="campaigns" className="size-6" />}
      title="Send your first campaign"
      description={
        canWrite
          ? 'Choose who receives it from your groups and segments, pick one of your templates, check everything on one review page, then send it now or at a time you choose.'
          : 'Campaigns your team prepares and sends appear here, with their progress and reports.'
      }
      action={newButton}
    />
  );

  return (
    <>
      <PageHeader
        title="Campaigns"
        description="Send a template to your groups and segments, now or at a time you choose, and follow who opens and clicks."
        actions={campaigns.isError ? undefined : newButton}
      />
      <Card aria-label="Campaigns">
        <div className="flex flex-col gap-3 border-b border-slate-200 px-5 py-4 sm:flex-row sm:items-end sm:justify-between sm:px-6">
          <Select
            label="Status"
            options={FILTER_OPTIONS}
            value={status ?? ''}
            onChange={(event) => navigate(event.target.value ? `?status=${event.target.value}` : '', { replace: true })}
            containerClassName="w-full sm:w-56"
          />
        </div>
        {campaigns.isError ? (
          <QueryError error={campaigns.error} onRetry={() => void campaigns.refetch()} />
        ) : (
          <DataTable
            caption={status ? `${STATUS_FILTER_LABELS[status]} campaigns` : 'Campaigns'}
            columns={columns}
            rows={rows}
            rowKey={(campaign) => campaign.id}
            loading={campaigns.isPending}
            hasMore={campaigns.hasNextPage}
            onLoadMore={() => void campaigns.fetchNextPage()}
            loadingMore={campaigns.isFetchingNextPage}
            itemLabel={{ one: 'campaign', other: 'campaigns' }}
            empty={filteredEmpty}
          />
        )}
      </Card>
      <DeleteCampaignDialog campaign={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
