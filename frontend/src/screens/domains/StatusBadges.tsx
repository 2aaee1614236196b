import type { DnsRecord, DomainStatus } from '../../api/domains.ts';
import { Icon } from '../../components/Icon.tsx';
import { Badge, Spinner, type BadgeTone } from '../../components/ui/index.ts';

const DOMAIN_STATUS: Record<DomainStatus, { label: string; tone: BadgeTone }> = {
  verified: { label: 'Verified', tone: 'success' },
  failed: { label: 'Action needed', tone: 'danger' },
  pending: { label: 'Pending', tone: 'warning' },
};

export function domainStatusLabel(status: DomainStatus): string {
  return DOMAIN_STATUS[status]?.label ?? status;
}

export function DomainStatusBadge({ status }: { status: DomainStatus }) {
  const { label, tone } = DOMAIN_STATUS[status] ?? { label: status, tone: 'neutral' as const };
  return (
    <Badge tone={tone} className="gap-1">
      {status === 'verified' && <Icon name="check" className="size-3.5" />}
      {label}
    </Badge>
  );
}

/**
 * The outcome of a record's last check in words: found, needs fixing, or (pending) not
 * checked yet / DNS gave no answer.
 */
export function recordStatusView(record: Pick<DnsRecord, 'status'>, checked: boolean): { label: string; tone: BadgeTone } {
  if (record.status === 'verified') return { label: 'Found', tone: 'success' };
  if (record.status === 'failed') return { label: 'Needs fixing', tone: 'danger' };
  return checked ? { label: 'No answer', tone: 'warning' } : { label: 'Not checked', tone: 'neutral' };
}

export function RecordStatusBadge({ record, checked, checking }: { record: DnsRecord; checked: boolean; checking: boolean }) {
  if (checking) {
    return (
      <Badge tone="brand" className="gap-1.5">
        <Spinner className="size-3" />
        Checking…
      </Badge>
    );
  }
  const { label, tone } = recordStatusView(record, checked);
  return (
    <Badge tone={tone} className="gap-1">
      {record.status === 'verified' && <Icon name="check" className="size-3.5" />}
      {label}
    </Badge>
  );
}
