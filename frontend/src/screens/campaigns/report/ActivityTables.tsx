import { useState } from 'react';
import { Link } from 'wouter';
import type { AnalyticsEvent, EventType } from '../../../api/analytics.ts';
import {
  RECIPIENT_STATUSES,
  useCampaignEvents,
  useCampaignRecipients,
  type CampaignRecipient,
  type RecipientStatus,
} from '../../../api/campaigns.ts';
import { QueryError } from '../../../components/QueryError.tsx';
import { Badge, DataTable, EmptyState, Select, type BadgeTone, type Column } from '../../../components/ui/index.ts';
import { formatDateTime } from '../../../lib/format.ts';

const linkClass = 'font-medium break-all text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600';

/** Who an event concerns: the recipient's address, linking to the contact when there is one. */
function RecipientCell({ event }: { event: AnalyticsEvent }) {
  const address = event.email ?? 'An erased address';
  if (event.contact_id === null) return <span className="break-all text-slate-700">{address}</span>;
  return (
    <Link href={`~/contacts/${event.contact_id}`} className={linkClass}>
      {address}
    </Link>
  );
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

/** What happened, in words: the kind of bounce and its reason, where an unsubscription came from. */
export function eventDetail(event: AnalyticsEvent): string {
  const details = event.details;
  if (event.type === 'bounce') {
    const kind = details['hard'] === false ? 'Soft bounce (temporary)' : 'Hard bounce';
    const reason = text(details['reason']) ?? text(details['status']);
    return reason ? `${kind}: ${reason}` : kind;
  }
  if (event.type === 'spamreport') return 'Marked the email as spam';
  if (event.type === 'unsubscribe') {
    const scope = details['scope'] === 'lists' ? 'From this list only' : 'From all your email';
    return event.source === 'page' ? `${scope}, on the unsubscribe page` : scope;
  }
  return event.type;
}

const EMPTY: Record<string, { title: string; description: string }> = {
  bounce: { title: 'No bounces', description: 'Every address that was sent to accepted the message so far.' },
  spamreport: { title: 'No complaints', description: 'Nobody marked this campaign as spam.' },
  unsubscribe: { title: 'No unsubscriptions', description: 'Nobody unsubscribed through this campaign.' },
};

export function EventsTable({ campaignId, type, label }: { campaignId: number; type: EventType; label: string }) {
  const events = useCampaignEvents(campaignId, type);
  const rows = events.data?.pages.flatMap((page) => page.items) ?? [];
  const columns: Column<AnalyticsEvent>[] = [
    { id: 'who', header: 'Recipient', cell: (event) => <RecipientCell event={event} /> },
    { id: 'what', header: 'Details', className: 'hidden sm:table-cell', cell: (event) => eventDetail(event) },
    { id: 'when', header: 'When', className: 'whitespace-nowrap', cell: (event) => formatDateTime(event.occurred_at) },
  ];
  if (events.isError) return <QueryError error={events.error} onRetry={() => void events.refetch()} />;
  const empty = EMPTY[type] ?? { title: 'Nothing yet', description: '' };
  return (
    <DataTable
      caption={label}
      columns={columns}
      rows={rows}
      rowKey={(event) => event.id}
      loading={events.isPending}
      hasMore={events.hasNextPage}
      onLoadMore={() => void events.fetchNextPage()}
      loadingMore={events.isFetchingNextPage}
      itemLabel={{ one: 'event', other: 'events' }}
      empty={<EmptyState title={empty.title} description={empty.description} />}
    />
  );
}

const RECIPIENT_VIEW: Record<RecipientStatus, { label: string; tone: BadgeTone }> = {
  queued: { label: 'Queued', tone: 'neutral' },
  sent: { label: 'Sent', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  skipped: { label: 'Skipped', tone: 'warning' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
};

const RECIPIENT_COLUMNS: Column<CampaignRecipient>[] = [
  {
    id: 'email',
    header: 'Recipient',
    cell: (recipient) => (
      <div className="min-w-0">
        {recipient.contact_id !== null ? (
          <Link href={`~/contacts/${recipient.contact_id}`} className={linkClass}>
            {recipient.email}
          </Link>
        ) : (
          <span className="break-all text-slate-900">{recipient.email}</span>
        )}
        {recipient.is_seed && (
          <Badge tone="brand" className="ml-2">
            Seed
          </Badge>
        )}
        {recipient.error && <p className="mt-0.5 text-xs break-words text-rose-700">{recipient.error}</p>}
      </div>
    ),
  },
  {
    id: 'status',
    header: 'Status',
    cell: (recipient) => {
      const view = RECIPIENT_VIEW[recipient.status] ?? { label: recipient.status, tone: 'neutral' as const };
      return <Badge tone={view.tone}>{view.label}</Badge>;
    },
  },
  { id: 'sent', header: 'Sent', className: 'hidden sm:table-cell whitespace-nowrap', cell: (recipient) => formatDateTime(recipient.sent_at) },
];

const RECIPIENT_FILTERS = [
  { value: '', label: 'All recipients' },
  ...RECIPIENT_STATUSES.map((status) => ({ value: status, label: RECIPIENT_VIEW[status].label })),
];

export function RecipientsTable({ campaignId }: { campaignId: number }) {
  const [status, setStatus] = useState<RecipientStatus | null>(null);
  const recipients = useCampaignRecipients(campaignId, status);
  const rows = recipients.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <div className="border-b border-slate-200 px-5 py-4 sm:px-6">
        <Select
          label="Status"
          options={RECIPIENT_FILTERS}
          value={status ?? ''}
          onChange={(event) => setStatus((event.target.value || null) as RecipientStatus | null)}
          containerClassName="w-full sm:w-56"
        />
      </div>
      {recipients.isError ? (
        <QueryError error={recipients.error} onRetry={() => void recipients.refetch()} />
      ) : (
        <DataTable
          caption="Recipients"
          columns={RECIPIENT_COLUMNS}
          rows={rows}
          rowKey={(recipient) => recipient.id}
          loading={recipients.isPending}
          hasMore={recipients.hasNextPage}
          onLoadMore={() => void recipients.fetchNextPage()}
          loadingMore={recipients.isFetchingNextPage}
          itemLabel={{ one: 'recipient', other: 'recipients' }}
          empty={
            <EmptyState
              title={status ? `No ${RECIPIENT_VIEW[status].label.toLowerCase()} recipients` : 'No recipients'}
              description={status ? 'Recipients with other outcomes are hidden by the filter.' : 'The recipient list is written when sending starts.'}
            />
          }
        />
      )}
    </>
  );
}
