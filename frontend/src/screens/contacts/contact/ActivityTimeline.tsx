import { Link } from 'wouter';
import { useCampaignNames, useContactEvents, type AnalyticsEvent } from '../../../api/analytics.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon, type IconName } from '../../../components/Icon.tsx';
import { MoreIcon, type MoreIconName } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Button, Card, CardHeader, EmptyState, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { formatDateTime, formatRelative } from '../../../lib/format.ts';

type Tone = 'neutral' | 'good' | 'warning' | 'danger';

/** Why an open or click was judged a machine's (`details.machine_reason`). */
const MACHINE_REASONS: Record<string, string> = {
  provider: 'flagged by the email provider',
  head_request: 'a link checker',
  apple_privacy_proxy: 'Apple Mail Privacy Protection',
  scanner: 'a security scanner',
  too_fast: 'too soon after sending for a person',
  click_burst: 'a scanner following every link',
};

export interface EventView {
  title: string;
  /** More about it: the client, the bounce diagnostic, the link. */
  detail: string | null;
  icon: { set: 'icon'; name: IconName } | { set: 'more'; name: MoreIconName };
  tone: Tone;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() ? value.trim() : null);

/** An event in words, with its icon. */
export function describeEvent(event: AnalyticsEvent): EventView {
  const details = event.details ?? {};
  const machine = event.machine
    ? `Not counted: ${MACHINE_REASONS[text(details['machine_reason']) ?? ''] ?? 'a privacy proxy or scanner'}`
    : null;
  switch (event.type) {
    case 'sent':
      return { title: 'Sent', detail: null, icon: { set: 'more', name: 'send' }, tone: 'neutral' };
    case 'delivered':
      return { title: 'Delivered', detail: null, icon: { set: 'icon', name: 'check' }, tone: 'good' };
    case 'deferred':
      return {
        title: 'Delivery delayed',
        detail: text(details['reason']) ?? text(details['response']) ?? 'The receiving server asked to try again later.',
        icon: { set: 'more', name: 'history' },
        tone: 'warning',
      };
    case 'bounce': {
      const hard = details['hard'] !== false;
      const reason = [text(details['status']), text(details['reason'])].filter(Boolean).join(' ');
      return {
        title: hard ? 'Bounced: the address does not accept mail' : 'Bounced temporarily',
        detail: reason || null,
        icon: { set: 'icon', name: 'warning' },
        tone: hard ? 'danger' : 'warning',
      };
    }
    case 'dropped':
      return {
        title: 'Not sent by the email provider',
        detail: text(details['reason']),
        icon: { set: 'more', name: 'ban' },
        tone: 'warning',
      };
    case 'open':
      return event.machine
        ? { title: 'Opened by a machine', detail: machine, icon: { set: 'more', name: 'eye' }, tone: 'neutral' }
        : { title: 'Opened', detail: event.client, icon: { set: 'more', name: 'eye' }, tone: 'good' };
    case 'click': {
      const link = event.link_index === null ? 'a link' : `link ${event.link_index + 1}`;
      const url = text(details['url']);
      return event.machine
        ? { title: `${link[0]!.toUpperCase()}${link.slice(1)} followed by a machine`, detail: [url, machine].filter(Boolean).join(' · '), icon: { set: 'icon', name: 'external' }, tone: 'neutral' }
        : { title: `Clicked ${link}`, detail: url ?? event.client, icon: { set: 'icon', name: 'external' }, tone: 'good' };
    }
    case 'spamreport':
      return { title: 'Reported as spam', detail: 'No further campaigns are sent to this address.', icon: { set: 'icon', name: 'warning' }, tone: 'danger' };
    case 'unsubscribe':
      return {
        title: details['scope'] === 'lists' ? 'Unsubscribed from some lists' : 'Unsubscribed',
        detail: null,
        icon: { set: 'more', name: 'ban' },
        tone: 'warning',
      };
    default:
      return { title: String(event.type), detail: null, icon: { set: 'icon', name: 'info' }, tone: 'neutral' };
  }
}

const TONES: Record<Tone, string> = {
  neutral: 'bg-slate-100 text-slate-600',
  good: 'bg-emerald-50 text-emerald-700',
  warning: 'bg-amber-50 text-amber-700',
  danger: 'bg-rose-50 text-rose-700',
};

function CampaignLink({ id, names }: { id: number; names: Map<number, string> }) {
  return (
    <Link
      href={`~/campaigns/${id}`}
      className="rounded-sm font-medium text-slate-700 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      {names.get(id) ?? `Campaign #${id}`}
    </Link>
  );
}

function EventRow({ event, names }: { event: AnalyticsEvent; names: Map<number, string> }) {
  const view = describeEvent(event);
  return (
    <li className="flex gap-3 py-3" data-testid="activity-event">
      <span className={cn('flex size-8 shrink-0 items-center justify-center rounded-full', TONES[view.tone])} aria-hidden="true">
        {view.icon.set === 'icon' ? <Icon name={view.icon.name} className="size-4" /> : <MoreIcon name={view.icon.name} className="size-4" />}
      </span>
      <div className="min-w-0 flex-1">
        <div className="flex flex-col gap-x-3 sm:flex-row sm:items-baseline sm:justify-between">
          <p className="text-sm text-slate-900">
            <span className="font-medium">{view.title}</span>
            {event.campaign_id !== null && (
              <>
                <span className="text-slate-400"> · </span>
                <CampaignLink id={event.campaign_id} names={names} />
              </>
            )}
          </p>
          <time dateTime={event.occurred_at} title={formatDateTime(event.occurred_at)} className="shrink-0 text-xs text-slate-500">
            {formatRelative(event.occurred_at)}
          </time>
        </div>
        {view.detail && <p className="mt-0.5 line-clamp-1 text-xs break-all text-slate-500" title={view.detail}>{view.detail}</p>}
      </div>
    </li>
  );
}

/** A contact's emails and what they did with them, newest first (analytics:read). */
export function ActivityTimeline({ contactId }: { contactId: number }) {
  const can = useCan();
  const allowed = can('analytics:read');
  const events = useContactEvents(contactId, { enabled: allowed });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];
  const campaignIds = [...new Set(items.flatMap((event) => (event.campaign_id === null ? [] : [event.campaign_id])))];
  const names = useCampaignNames(campaignIds, { enabled: allowed && can('campaigns:read') });
  if (!allowed) return null;

  return (
    <Card aria-labelledby="activity-title">
      <CardHeader
        titleId="activity-title"
        title="Activity"
        description="Campaign emails to this contact and what happened to them, newest first."
      />
      {events.isPending ? (
        <LoadingRegion label="Loading activity…">
          <div className="space-y-4 px-5 py-5 sm:px-6">
            {Array.from({ length: 3 }, (_, index) => (
              <div key={index} className="flex gap-3">
                <Skeleton className="size-8 rounded-full" />
                <div className="flex-1 space-y-2">
                  <Skeleton className="h-4 w-2/3" />
                  <Skeleton className="h-3 w-1/3" />
                </div>
              </div>
            ))}
          </div>
        </LoadingRegion>
      ) : events.isError ? (
        <QueryError error={events.error} onRetry={() => void events.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState
          className="py-10"
          icon={<MoreIcon name="history" className="size-6" />}
          title="No activity yet"
          description="When a campaign is sent to this contact, its delivery, opens and clicks appear here."
        />
      ) : (
        <>
          <ol className="divide-y divide-slate-100 px-5 sm:px-6" aria-label={`Activity, ${items.length} events shown`}>
            {items.map((event) => (
              <EventRow key={event.id} event={event} names={names} />
            ))}
          </ol>
          {events.hasNextPage && (
            <div className="border-t border-slate-200 px-5 py-3 sm:px-6">
              <Button variant="secondary" size="sm" onClick={() => void events.fetchNextPage()} loading={events.isFetchingNextPage}>
                Show older activity
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}
