import { useId } from 'react';
import type { Meter, Usage } from '../../api/billing.ts';
import { QueryError } from '../../components/QueryError.tsx';
import { Card, CardBody, CardHeader, LoadingRegion, Skeleton } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { formatDate } from '../../lib/format.ts';
import { meterView, type MeterKind, type MeterLevel } from './meters.ts';

const BAR: Record<MeterLevel, string> = {
  ok: 'bg-indigo-500',
  warning: 'bg-amber-500',
  critical: 'bg-rose-600',
  unknown: 'bg-slate-300',
};

const NOTE: Record<MeterLevel, string> = {
  ok: 'text-slate-500',
  warning: 'text-amber-800',
  critical: 'text-rose-700',
  unknown: 'text-slate-500',
};

/** A labelled bar: indigo, amber from 80 %, red at the limit. */
export function UsageMeter({ kind, meter, renews }: { kind: MeterKind; meter: Meter; renews: string }) {
  const labelId = useId();
  const noteId = useId();
  const view = meterView(kind, meter, renews);
  const percentText = view.percent === null ? '' : `${view.percent}%`;
  return (
    <div data-testid={`meter-${kind}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <span id={labelId} className="text-sm font-medium text-slate-900">
          {view.title}
        </span>
        <span className="text-sm text-slate-600 tabular-nums">
          {view.valueText}
          {percentText && <span className={cn('ml-2 font-medium', NOTE[view.level])}>{percentText}</span>}
        </span>
      </div>
      <div
        role="meter"
        aria-labelledby={labelId}
        aria-describedby={view.note ? noteId : undefined}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={view.barPercent}
        aria-valuetext={percentText ? `${view.valueText}, ${percentText}` : view.valueText}
        data-level={view.level}
        className="mt-2 h-2.5 overflow-hidden rounded-full bg-slate-100"
      >
        <div className={cn('h-full rounded-full transition-[width]', BAR[view.level])} style={{ width: `${view.barPercent}%` }} />
      </div>
      {view.note && (
        <p id={noteId} className={cn('mt-1.5 text-xs', NOTE[view.level])}>
          {view.note}
        </p>
      )}
    </div>
  );
}

export function UsageCard({
  usage,
  error,
  onRetry,
}: {
  usage: Usage | undefined;
  error: unknown;
  onRetry: () => void;
}) {
  const renews = usage ? formatDate(usage.period_end) : '';
  return (
    <Card aria-labelledby="usage-title" className="h-full">
      <CardHeader
        titleId="usage-title"
        title="Usage"
        description={
          usage ? `This billing period: ${formatDate(usage.period_start)} – ${formatDate(usage.period_end)}` : 'This billing period'
        }
      />
      {error ? (
        <QueryError error={error} onRetry={onRetry} />
      ) : !usage ? (
        <CardBody>
          <LoadingRegion label="Loading usage…">
            <div className="space-y-6">
              {[0, 1, 2].map((index) => (
                <div key={index} className="space-y-2">
                  <Skeleton className="h-4 w-1/3" />
                  <Skeleton className="h-2.5 w-full" />
                </div>
              ))}
            </div>
          </LoadingRegion>
        </CardBody>
      ) : (
        <CardBody className="space-y-6">
          <UsageMeter kind="emails" meter={usage.emails} renews={renews} />
          <UsageMeter kind="contacts" meter={usage.contacts} renews={renews} />
          <UsageMeter kind="seats" meter={usage.seats} renews={renews} />
        </CardBody>
      )}
    </Card>
  );
}
