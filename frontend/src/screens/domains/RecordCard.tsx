import { useId, type ReactNode } from 'react';
import type { DnsRecord } from '../../api/domains.ts';
import { Icon } from '../../components/Icon.tsx';
import { Badge, CopyButton } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { hostLabel } from './records.ts';
import { RecordStatusBadge } from './StatusBadges.tsx';

/** How names are shown and copied: relative to the domain (most DNS hosts) or in full. */
export type NameFormat = 'host' | 'fqdn';

function RecordField({
  label,
  value,
  copyLabel,
  hint,
}: {
  label: string;
  value: string;
  copyLabel: string;
  hint?: ReactNode;
}) {
  return (
    <div className="grid gap-2 px-4 py-3 sm:grid-cols-[4.5rem_minmax(0,1fr)_auto] sm:items-start sm:gap-4">
      <dt className="text-xs font-medium tracking-wide text-slate-500 uppercase sm:pt-1.5">{label}</dt>
      <dd className="min-w-0">
        <code className="block rounded-md bg-slate-50 px-2.5 py-1.5 font-mono text-[13px] leading-relaxed break-all text-slate-800 ring-1 ring-slate-200 ring-inset">
          {value}
        </code>
        {hint && <p className="mt-1.5 text-xs text-slate-500">{hint}</p>}
      </dd>
      <dd>
        <CopyButton text={value} size="sm" srLabel={copyLabel} />
      </dd>
    </div>
  );
}

function Diagnostic({ record, checked }: { record: DnsRecord; checked: boolean }) {
  if (!checked) {
    return (
      <p className="flex gap-2 border-t border-slate-100 px-4 py-3 text-sm text-slate-500">
        <Icon name="info" className="mt-px size-4 text-slate-400" />
        Not checked yet: press Verify once the record is published.
      </p>
    );
  }
  const styles = {
    verified: { box: 'bg-emerald-50/60 text-emerald-800', icon: 'check' as const },
    failed: { box: 'bg-rose-50/70 text-rose-800', icon: 'warning' as const },
    pending: { box: 'bg-amber-50/70 text-amber-900', icon: 'info' as const },
  }[record.status];
  return (
    <p className={cn('flex gap-2 rounded-b-lg border-t border-slate-100 px-4 py-3 text-sm break-words', styles.box)} data-testid="record-diagnostic">
      <Icon name={styles.icon} className="mt-px size-4" />
      <span className="min-w-0">
        <span className="sr-only">Last check: </span>
        {record.detail}
      </span>
    </p>
  );
}

/** One record to publish: type, name and value with copy buttons, and what DNS said. */
export function RecordCard({
  record,
  domain,
  nameFormat,
  checked,
  checking,
}: {
  record: DnsRecord;
  domain: string;
  nameFormat: NameFormat;
  /** The domain was checked at least once (else every record is "not checked yet"). */
  checked: boolean;
  /** A verification is running. */
  checking: boolean;
}) {
  const titleId = useId();
  const nameId = useId();
  const host = hostLabel(record.name, domain);
  const shownName = nameFormat === 'host' ? host : record.name;
  const nameHint =
    nameFormat === 'host' ? (
      host === '@' ? (
        <>
          <code className="font-mono">@</code> stands for {domain} itself; some DNS hosts want the field left empty instead.
        </>
      ) : (
        <>
          Full name: <span className="font-mono break-all">{record.name}</span>
        </>
      )
    ) : undefined;

  return (
    <article aria-labelledby={`${titleId} ${nameId}`} className="rounded-lg border border-slate-200 bg-white">
      <div className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-2.5">
        <h4 className="flex min-w-0 items-center gap-2 text-sm font-medium text-slate-900">
          <span id={titleId}>
            <Badge tone="neutral" className="font-mono">
              {record.type}
            </Badge>
            <span className="sr-only"> record</span>
          </span>
          <span id={nameId} className="truncate font-mono text-[13px] text-slate-600">
            {record.name}
          </span>
        </h4>
        <RecordStatusBadge record={record} checked={checked} checking={checking} />
      </div>
      <dl className="divide-y divide-slate-100">
        <RecordField label="Name" value={shownName} copyLabel="name" hint={nameHint} />
        <RecordField label="Value" value={record.value} copyLabel="value" />
      </dl>
      <Diagnostic record={record} checked={checked} />
    </article>
  );
}
