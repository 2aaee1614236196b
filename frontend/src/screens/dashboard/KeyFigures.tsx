import type { Overview } from '../../api/analytics.ts';
import { Icon } from '../../components/Icon.tsx';
import { LoadingRegion, Skeleton } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { keyFigures, type Level } from './figures.ts';

const VALUE_TONE: Record<Level, string> = {
  ok: 'text-slate-900',
  warning: 'text-amber-700',
  danger: 'text-rose-700',
};

const LEVEL_TEXT: Record<Level, string | null> = {
  ok: null,
  warning: 'Above 0.1%',
  danger: 'Sending at risk',
};

/** Emails sent and the rates of the window, as tiles (three a row on wide screens). */
export function KeyFigures({ overview }: { overview: Overview }) {
  return (
    <dl className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-3 xl:grid-cols-6">
      {keyFigures(overview).map((figure) => (
        <div
          key={figure.id}
          data-testid={`figure-${figure.id}`}
          data-level={figure.level}
          className={cn(
            'flex min-w-0 flex-col rounded-xl border bg-white px-4 py-3.5 shadow-xs',
            figure.level === 'danger' ? 'border-rose-200' : figure.level === 'warning' ? 'border-amber-200' : 'border-slate-200',
          )}
        >
          <dt className="text-sm font-medium text-slate-500">{figure.label}</dt>
          <dd className={cn('mt-1 text-2xl font-semibold tracking-tight tabular-nums', VALUE_TONE[figure.level])}>
            {figure.value}
          </dd>
          <dd className="mt-1 text-xs text-slate-500">
            {LEVEL_TEXT[figure.level] && (
              <span className={cn('mb-0.5 flex items-center gap-1 font-medium', figure.level === 'danger' ? 'text-rose-700' : 'text-amber-800')}>
                <Icon name="warning" className="size-3.5" />
                {LEVEL_TEXT[figure.level]}
              </span>
            )}
            {figure.detail}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function KeyFiguresSkeleton() {
  return (
    <LoadingRegion label="Loading the last 30 days…">
      <div className="grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-3 xl:grid-cols-6">
        {Array.from({ length: 6 }, (_, index) => (
          <div key={index} className="rounded-xl border border-slate-200 bg-white px-4 py-3.5 shadow-xs">
            <Skeleton className="h-4 w-20" />
            <Skeleton className="mt-2 h-7 w-16" />
            <Skeleton className="mt-2 h-3 w-24" />
          </div>
        ))}
      </div>
    </LoadingRegion>
  );
}
