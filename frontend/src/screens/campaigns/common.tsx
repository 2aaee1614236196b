/** Small pieces shared by the campaigns pages. */

import type { MouseEvent, ReactNode } from 'react';
import { Link } from 'wouter';
import type { Campaign, CampaignStatus } from '../../api/campaigns.ts';
import { Icon } from '../../components/Icon.tsx';
import { Badge, type BadgeTone } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { formatDateTime } from '../../lib/format.ts';
import { formatInZone } from './wizard/schedule.ts';

const STATUS_VIEW: Record<CampaignStatus, { label: string; tone: BadgeTone }> = {
  draft: { label: 'Draft', tone: 'neutral' },
  scheduled: { label: 'Scheduled', tone: 'brand' },
  sending: { label: 'Sending', tone: 'brand' },
  paused: { label: 'Paused', tone: 'warning' },
  sent: { label: 'Sent', tone: 'success' },
  cancelled: { label: 'Cancelled', tone: 'neutral' },
  failed: { label: 'Failed', tone: 'danger' },
};

export const STATUS_FILTER_LABELS: Record<CampaignStatus, string> = {
  draft: 'Drafts',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  sent: 'Sent',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export function statusLabel(status: CampaignStatus): string {
  return STATUS_VIEW[status]?.label ?? status;
}

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  const { label, tone } = STATUS_VIEW[status] ?? { label: status, tone: 'neutral' as const };
  return (
    <Badge tone={tone} className="gap-1.5">
      {status === 'sending' && <span className="size-1.5 animate-pulse rounded-full bg-indigo-500" aria-hidden="true" />}
      {status === 'sent' && <Icon name="check" className="size-3.5" />}
      {label}
    </Badge>
  );
}

/** Has sending begun (so there is progress, and a report)? */
export function hasStarted(campaign: Pick<Campaign, 'status' | 'started_at'>): boolean {
  return campaign.started_at !== null || ['sending', 'paused', 'sent'].includes(campaign.status);
}

/** Only drafts and scheduled campaigns can be changed (the server answers 409 otherwise). */
export function isEditable(campaign: Pick<Campaign, 'status'>): boolean {
  return campaign.status === 'draft' || campaign.status === 'scheduled';
}

/** Running or waiting to run: the server refuses to delete it until it is cancelled. */
export function isActive(campaign: Pick<Campaign, 'status'>): boolean {
  return campaign.status === 'scheduled' || campaign.status === 'sending' || campaign.status === 'paused';
}

/** The one date that matters for the campaign's status, in words. */
export function campaignWhen(campaign: Campaign): string {
  switch (campaign.status) {
    case 'scheduled':
      return campaign.scheduled_at ? `For ${formatInZone(campaign.scheduled_at, campaign.timezone)}` : 'Scheduled';
    case 'sending':
    case 'paused':
      return `Started ${formatDateTime(campaign.started_at)}`;
    case 'sent':
      return `Sent ${formatDateTime(campaign.finished_at ?? campaign.started_at)}`;
    case 'cancelled':
      return `Cancelled ${formatDateTime(campaign.finished_at ?? campaign.updated_at)}`;
    case 'failed':
      return `Failed ${formatDateTime(campaign.finished_at ?? campaign.updated_at)}`;
    default:
      return `Edited ${formatDateTime(campaign.updated_at)}`;
  }
}

/**
 * A rate from 0 to 1 as a percentage: 0.375 -> "38%", 0.0811 -> "8.1%", 0.0007 -> "0.07%".
 * Small rates keep two decimals: complaint rates matter around 0.1%.
 */
export function formatPercent(rate: number): string {
  const percent = rate * 100;
  if (percent === 0) return '0%';
  if (percent < 0.01) return '<0.01%';
  return `${percent.toFixed(percent >= 10 ? 0 : percent >= 1 ? 1 : 2)}%`;
}

/** 75 -> "1 min 15 s", 4000 -> "1 h 7 min". */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return total % 60 ? `${minutes} min ${total % 60} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

const LINK_BUTTON: Record<'primary' | 'secondary' | 'ghost', string> = {
  primary: 'bg-indigo-600 text-white shadow-xs hover:bg-indigo-500',
  secondary: 'bg-white text-slate-800 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50',
  ghost: 'text-indigo-700 hover:bg-indigo-50',
};

/** A link that looks like a `Button` (navigation is a link, not a button). */
export function linkButtonClass(variant: keyof typeof LINK_BUTTON = 'primary', size: 'sm' | 'md' = 'md'): string {
  return cn(
    'inline-flex shrink-0 items-center justify-center gap-2 rounded-lg font-medium whitespace-nowrap transition-colors',
    'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600',
    size === 'sm' ? 'h-8 px-2.5 text-sm' : 'h-9 px-3.5 text-sm',
    LINK_BUTTON[variant],
  );
}

/** A link back up; `to` is relative to /campaigns ("" is the list). */
export function BackLink({ to, children, onClick }: { to: string; children: ReactNode; onClick?: (event: MouseEvent) => void }) {
  return (
    <Link
      href={to}
      onClick={onClick}
      className="mb-4 inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      <Icon name="arrowLeft" className="size-4" />
      {children}
    </Link>
  );
}

/** A figure with its label, as on a dashboard: "Delivered 1,480". */
export function Figure({
  label,
  value,
  note,
  tone = 'text-slate-900',
  testId,
}: {
  label: ReactNode;
  value: ReactNode;
  note?: ReactNode;
  tone?: string;
  testId?: string;
}) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-xs">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className={cn('mt-1 text-2xl font-semibold tabular-nums', tone)} data-testid={testId}>
        {value}
      </dd>
      {note && <dd className="mt-0.5 text-xs text-slate-500">{note}</dd>}
    </div>
  );
}
