import { useId, useState } from 'react';
import { asSentence, describeError } from '../../../api/errors.ts';
import { useDeliveries, useReplayDelivery, type Delivery, type DeliveryStatus } from '../../../api/webhooks.ts';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Badge, Button, LoadingRegion, Skeleton, useToast, type BadgeTone } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { formatDateTime, formatNumber, formatRelative } from '../../../lib/format.ts';

const STATUS: Record<DeliveryStatus, { label: string; tone: BadgeTone }> = {
  succeeded: { label: 'Delivered', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
  retrying: { label: 'Retrying', tone: 'warning' },
  pending: { label: 'Queued', tone: 'neutral' },
};

/** "HTTP 500 · 1,204 ms · 3 attempts" (what is known of the last attempt). */
export function deliverySummary(delivery: Delivery): string {
  const parts: string[] = [];
  if (delivery.response_status !== null) parts.push(`HTTP ${delivery.response_status}`);
  else if (delivery.attempts > 0) parts.push('No answer');
  if (delivery.duration_ms !== null) parts.push(`${formatNumber(delivery.duration_ms)} ms`);
  parts.push(delivery.attempts === 1 ? '1 attempt' : `${formatNumber(delivery.attempts)} attempts`);
  return parts.join(' · ');
}

const PRE = 'mt-1 max-h-64 overflow-auto rounded-lg bg-slate-900 p-3 font-mono text-xs leading-relaxed whitespace-pre-wrap break-all text-slate-100';

function DeliveryItem({ delivery }: { delivery: Delivery }) {
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const replay = useReplayDelivery();
  const toast = useToast();
  const status = STATUS[delivery.status] ?? { label: delivery.status, tone: 'neutral' as const };
  const when = delivery.last_attempt_at ?? delivery.created_at;

  const replayNow = () =>
    replay.mutate(delivery.id, {
      onSuccess: () => toast.success('Delivery queued again', `${delivery.event_type} is sent with the same event id.`),
      onError: (error) => toast.error('The delivery was not replayed', describeError(error)),
    });

  return (
    <li className="py-3" data-testid="delivery">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
        <Badge tone={status.tone}>{status.label}</Badge>
        <code className="font-mono text-xs font-medium text-slate-900">{delivery.event_type}</code>
        {delivery.replay_of_id !== null && <Badge>Replay</Badge>}
        <span className="text-xs text-slate-500 tabular-nums">{deliverySummary(delivery)}</span>
        <time dateTime={when} title={formatDateTime(when)} className="ml-auto text-xs text-slate-500">
          {formatRelative(when)}
        </time>
      </div>
      {delivery.error && delivery.status !== 'succeeded' && <p className="mt-1 text-xs break-words text-rose-700">{asSentence(delivery.error)}</p>}
      <div className="mt-1.5 flex flex-wrap gap-2">
        <Button
          variant="ghost"
          size="sm"
          aria-expanded={open}
          aria-controls={panelId}
          onClick={() => setOpen((value) => !value)}
          icon={<MoreIcon name="chevronDown" className={cn('size-4 transition-transform', open && 'rotate-180')} />}
        >
          {open ? 'Hide details' : 'Details'}
          <span className="sr-only"> of {delivery.event_type}, {formatDateTime(when)}</span>
        </Button>
        {delivery.status === 'failed' && (
          <Button variant="secondary" size="sm" onClick={replayNow} loading={replay.isPending} icon={<Icon name="refresh" className="size-4" />}>
            Replay
          </Button>
        )}
      </div>
      {open && (
        <div id={panelId} className="mt-2 space-y-3 rounded-lg border border-slate-200 bg-slate-50 p-3">
          <p className="text-xs text-slate-600">
            Event id <code className="font-mono">{delivery.event_id}</code> · created {formatDateTime(delivery.created_at)}
            {delivery.delivered_at && <> · delivered {formatDateTime(delivery.delivered_at)}</>}
          </p>
          <div>
            <h4 className="text-xs font-medium text-slate-700">Payload sent</h4>
            <pre className={PRE}>{JSON.stringify(delivery.payload, null, 2)}</pre>
          </div>
          <div>
            <h4 className="text-xs font-medium text-slate-700">Response body{delivery.response_body ? ' (first 1,000 characters)' : ''}</h4>
            {delivery.response_body ? (
              <pre className={PRE}>{delivery.response_body}</pre>
            ) : (
              <p className="mt-1 text-xs text-slate-500">{delivery.attempts > 0 ? 'The endpoint sent no body.' : 'Not attempted yet.'}</p>
            )}
          </div>
        </div>
      )}
    </li>
  );
}

/** An endpoint's deliveries, newest first, each with its payload and the answer. */
export function DeliveryLog({ endpointId, id }: { endpointId: number; id: string }) {
  const deliveries = useDeliveries(endpointId);
  // Only a refresh the person asked for spins: the log also polls while a delivery is queued.
  const [refreshing, setRefreshing] = useState(false);
  const refresh = () => {
    setRefreshing(true);
    void deliveries.refetch().finally(() => setRefreshing(false));
  };
  const items = deliveries.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section id={id} aria-label="Delivery log" className="mt-3 rounded-lg border border-slate-200 bg-white px-4">
      <div className="flex items-center justify-between gap-3 border-b border-slate-100 py-2.5">
        <h3 className="text-sm font-semibold text-slate-900">Delivery log</h3>
        <Button
          variant="ghost"
          size="sm"
          onClick={refresh}
          loading={refreshing}
          icon={<Icon name="refresh" className="size-4" />}
        >
          Refresh
        </Button>
      </div>
      {deliveries.isPending ? (
        <LoadingRegion label="Loading deliveries…">
          <div className="space-y-3 py-3">
            <Skeleton className="h-5 w-3/4" />
            <Skeleton className="h-5 w-2/3" />
          </div>
        </LoadingRegion>
      ) : deliveries.isError ? (
        <QueryError error={deliveries.error} onRetry={() => void deliveries.refetch()} />
      ) : items.length === 0 ? (
        <p className="py-4 text-sm text-slate-500">
          Nothing sent to this endpoint yet. Send a test ping to check that it answers.
        </p>
      ) : (
        <>
          <ul className="divide-y divide-slate-100">
            {items.map((delivery) => (
              <DeliveryItem key={delivery.id} delivery={delivery} />
            ))}
          </ul>
          {deliveries.hasNextPage && (
            <div className="border-t border-slate-100 py-3">
              <Button variant="secondary" size="sm" onClick={() => void deliveries.fetchNextPage()} loading={deliveries.isFetchingNextPage}>
                Show older deliveries
              </Button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
