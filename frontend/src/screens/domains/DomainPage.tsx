import { useState } from 'react';
import { Link } from 'wouter';
import { useDomain, useVerifyDomain, type Domain } from '../../api/domains.ts';
import { describeError, NotFoundError } from '../../api/errors.ts';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { PageSkeleton } from '../../components/PageSkeleton.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Alert, Badge, Button, Card, CopyButton, EmptyState, Spinner, useToast } from '../../components/ui/index.ts';
import { cn } from '../../lib/cn.ts';
import { formatDateTime } from '../../lib/format.ts';
import { RecordCard, type NameFormat } from './RecordCard.tsx';
import { countRecords, groupRecords, groupTip, neverChecked, zoneFile } from './records.ts';
import { RemoveDomainDialog } from './RemoveDomainDialog.tsx';
import { DomainStatusBadge, recordStatusView } from './StatusBadges.tsx';

const PROVIDER_LABELS: Record<string, string> = {
  sendgrid: 'SendGrid signs its mail (DKIM through two CNAME records)',
  smtp: 'EngageX signs its mail with the domain’s own DKIM key',
};

function BackLink() {
  return (
    <Link
      // The list is the nested router's root: "" is /domains (a "/" would add a trailing slash).
      href=""
      className="mb-4 inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      <Icon name="arrowLeft" className="size-4" />
      All domains
    </Link>
  );
}

/** Where the domain stands and what to do next, in one sentence or two. */
function StatusSummary({ domain, checking }: { domain: Domain; checking: boolean }) {
  const counts = countRecords(domain.records);
  if (checking) {
    return (
      <div role="status" className="flex items-center gap-3 rounded-lg border border-indigo-200 bg-indigo-50 px-4 py-3 text-sm text-indigo-900">
        <Spinner className="size-4" />
        Checking {counts.total} records in DNS…
      </div>
    );
  }
  const checked = domain.last_checked_at ? ` Last checked ${formatDateTime(domain.last_checked_at)}.` : '';
  if (domain.status === 'verified') {
    const unanswered = counts.pending > 0 ? ` DNS did not answer for ${counts.pending} of the records at the last check; the domain stays verified.` : '';
    return (
      <Alert tone="success" title={`${domain.name} is verified`}>
        You can send from any address at {domain.name}.{unanswered}
        {domain.verified_at && ` Verified since ${formatDateTime(domain.verified_at)}.`}
        {checked}
      </Alert>
    );
  }
  if (domain.status === 'failed') {
    return (
      <Alert tone="danger" title={`${counts.failed} of ${counts.total} records need fixing`}>
        Correct them at your DNS host as each record below explains, then verify again. Sending from {domain.name} is
        refused until then.{checked}
      </Alert>
    );
  }
  if (neverChecked(domain)) {
    return (
      <Alert tone="info" title={`Publish these ${counts.total} records, then verify`}>
        Add them at your DNS host (where the domain is managed: your registrar, Cloudflare, Route 53…). New records
        usually appear within minutes, sometimes up to an hour.
      </Alert>
    );
  }
  return (
    <Alert tone="warning" title="DNS did not answer">
      Nothing was concluded for {counts.pending} of the records: the name servers did not answer in time. Verify again in a
      few minutes.{checked}
    </Alert>
  );
}

function NameFormatSwitch({ value, onChange }: { value: NameFormat; onChange: (value: NameFormat) => void }) {
  const options: { value: NameFormat; label: string }[] = [
    { value: 'host', label: 'Host only' },
    { value: 'fqdn', label: 'Full name' },
  ];
  return (
    <fieldset className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <legend className="float-left mr-1 text-sm text-slate-600">Show names as</legend>
      <div className="inline-flex rounded-lg bg-slate-100 p-0.5">
        {options.map((option) => (
          <label
            key={option.value}
            className={cn(
              'cursor-pointer rounded-md px-3 py-1 text-sm font-medium transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
              value === option.value ? 'bg-white text-slate-900 shadow-xs' : 'text-slate-600 hover:text-slate-900',
            )}
          >
            <input
              type="radio"
              name="name-format"
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="sr-only"
            />
            {option.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function DomainDetails({ domain }: { domain: Domain }) {
  const verify = useVerifyDomain(domain.id);
  const toast = useToast();
  const [nameFormat, setNameFormat] = useState<NameFormat>('host');
  const [removing, setRemoving] = useState(false);
  const checking = verify.isPending;
  const canManage = useCan()('domains:manage');
  const checked = !neverChecked(domain);
  const groups = groupRecords(domain.records);

  const runVerify = () =>
    verify.mutate(undefined, {
      // A failure needs no toast: the summary above the records is an alert and says it.
      onSuccess: (result) => {
        if (result.status === 'verified') {
          toast.success(`${result.name} is verified`, `Every record was found. You can send from addresses at ${result.name}.`);
        } else if (result.status === 'pending') {
          toast.show({ tone: 'info', title: 'DNS did not answer', description: 'Nothing was concluded. Verify again in a few minutes.' });
        }
      },
    });

  return (
    <>
      <BackLink />
      <PageHeader
        title={domain.name}
        description={
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <DomainStatusBadge status={domain.status} />
            <span>{PROVIDER_LABELS[domain.provider] ?? domain.provider}</span>
          </span>
        }
        actions={
          canManage ? (
            <>
              <Button variant="danger-ghost" onClick={() => setRemoving(true)} icon={<Icon name="trash" className="size-4" />}>
                Remove
              </Button>
              <Button onClick={runVerify} loading={checking} icon={<Icon name="refresh" className="size-4" />}>
                {checking ? 'Checking DNS…' : 'Verify'}
              </Button>
            </>
          ) : undefined
        }
      />
      <div className="space-y-4">
        <StatusSummary domain={domain} checking={checking} />
        {verify.isError && <Alert title="The records were not checked">{describeError(verify.error)}</Alert>}
      </div>

      <div className="mt-8 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <h2 className="text-lg font-semibold text-slate-900">DNS records to publish</h2>
        <div className="flex flex-wrap items-center gap-3">
          <NameFormatSwitch value={nameFormat} onChange={setNameFormat} />
          <CopyButton text={zoneFile(domain.records)} size="sm" label="Copy as zone file" />
        </div>
      </div>
      <p className="mt-1 max-w-3xl text-sm text-slate-500">
        Create each record at your DNS host with the type, name and value shown. Most hosts want the name without the
        domain (“Host only”); some, and zone-file imports, want the full name.
      </p>

      <div className="mt-6 space-y-8">
        {groups.map((group) => {
          const headingId = `records-${group.purpose}`;
          const groupView = recordStatusView({ status: group.status }, checked);
          const tip = groupTip(group);
          return (
            <section key={group.purpose} aria-labelledby={headingId}>
              <div className="flex flex-wrap items-center gap-2">
                <h3 id={headingId} className="text-base font-semibold text-slate-900">
                  {group.info.title}
                </h3>
                {/* A single record carries its own status; a pair (SendGrid's DKIM) gets a tally. */}
                {!checking && group.records.length > 1 && (
                  <Badge tone={groupView.tone}>
                    {checked && group.status !== 'verified'
                      ? `${countRecords(group.records).verified} of ${group.records.length} found`
                      : groupView.label}
                  </Badge>
                )}
              </div>
              <p className="mt-1 text-sm text-slate-600">{group.info.summary}</p>
              {tip && <p className="mt-1 text-sm text-slate-500">{tip}</p>}
              <div className="mt-3 space-y-3">
                {group.records.map((record) => (
                  <RecordCard
                    key={`${record.type} ${record.name}`}
                    record={record}
                    domain={domain.name}
                    nameFormat={nameFormat}
                    checked={checked}
                    checking={checking}
                  />
                ))}
              </div>
            </section>
          );
        })}
      </div>
      <RemoveDomainDialog domain={removing ? domain : null} onClose={() => setRemoving(false)} />
    </>
  );
}

export function DomainPage({ id }: { id: number }) {
  const domain = useDomain(id);
  if (domain.isPending) return <PageSkeleton />;
  if (domain.isError) {
    return (
      <>
        <BackLink />
        <Card>
          {domain.error instanceof NotFoundError ? (
            <EmptyState
              icon={<Icon name="domains" className="size-6" />}
              title="This domain is not in your organization"
              description="It may have been removed, or the link may belong to another organization."
            />
          ) : (
            <QueryError error={domain.error} onRetry={() => void domain.refetch()} />
          )}
        </Card>
      </>
    );
  }
  return <DomainDetails domain={domain.data} />;
}
