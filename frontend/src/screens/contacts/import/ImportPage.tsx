import { useState } from 'react';
import { Link } from 'wouter';
import { useAllGroups } from '../../../api/contacts.ts';
import { NotFoundError, describeError } from '../../../api/errors.ts';
import { downloadRejectedRows, isImportFinished, useImport, type ContactImport } from '../../../api/imports.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { PageSkeleton } from '../../../components/PageSkeleton.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Alert, Button, Card, CardBody, CardHeader, EmptyState, useToast } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { formatCount, formatDateTime, formatNumber, parseTimestamp } from '../../../lib/format.ts';
import { BackLink } from '../common.tsx';
import { delimiterLabel } from './csv.ts';
import { BUILTIN_LABELS, type BuiltinTarget } from './mapping.ts';
import { ImportStatusBadge } from './ImportStatusBadge.tsx';

const linkClass =
  'inline-flex h-9 items-center gap-2 rounded-lg px-3.5 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';

/** "1.2 s", "3 min 4 s": how long the import ran. */
export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

function Progress({ record }: { record: ContactImport }) {
  const percent = Math.max(0, Math.min(100, record.progress));
  const waiting = record.status === 'pending';
  return (
    <Card>
      <CardBody className="space-y-4">
        <div className="flex items-baseline justify-between gap-4">
          <p className="text-sm font-medium text-slate-900">{waiting ? 'Waiting for a worker to start the import…' : 'Importing…'}</p>
          <p className="text-2xl font-semibold text-slate-900 tabular-nums">{Math.floor(percent)}%</p>
        </div>
        <div
          role="progressbar"
          aria-label="Import progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.floor(percent)}
          aria-valuetext={`${Math.floor(percent)}%, ${formatNumber(record.processed_rows)} rows read`}
          className="h-3 overflow-hidden rounded-full bg-slate-200"
        >
          <div className="h-full rounded-full bg-indigo-600 transition-[width] duration-500" style={{ width: `${percent}%` }} />
        </div>
        <dl className="grid grid-cols-2 gap-4 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-slate-500">Rows read</dt>
            <dd className="font-medium text-slate-900 tabular-nums" data-testid="rows-read">
              {formatNumber(record.processed_rows)}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Speed</dt>
            <dd className="font-medium text-slate-900 tabular-nums">
              {record.rows_per_second ? `${formatNumber(Math.round(record.rows_per_second))} rows/s` : '—'}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">File</dt>
            <dd className="truncate font-medium text-slate-900">{record.filename}</dd>
          </div>
        </dl>
        <p className="text-sm text-slate-500">
          You can leave this page: the import goes on, and its result stays under Contacts › Imports.
        </p>
      </CardBody>
    </Card>
  );
}

function Counts({ record }: { record: ContactImport }) {
  const items: { label: string; value: number; hint?: string; tone: string; testId: string }[] = [
    { label: 'Added', value: record.created, tone: 'text-emerald-700', testId: 'count-created' },
    {
      label: 'Updated',
      value: record.updated,
      ...(record.unchanged ? { hint: `${formatNumber(record.unchanged)} already up to date` } : {}),
      tone: 'text-indigo-700',
      testId: 'count-updated',
    },
    {
      label: 'Skipped',
      value: record.skipped,
      ...(record.skipped && record.mode !== 'upsert' ? { hint: record.mode === 'create' ? 'already contacts' : 'not contacts yet' } : {}),
      tone: 'text-slate-700',
      testId: 'count-skipped',
    },
    { label: 'Rejected', value: record.invalid, tone: record.invalid ? 'text-rose-700' : 'text-slate-700', testId: 'count-rejected' },
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 lg:grid-cols-4">
      {items.map((item) => (
        <div key={item.label} className="rounded-xl border border-slate-200 bg-white px-4 py-3 shadow-xs">
          <dt className="text-sm text-slate-500">{item.label}</dt>
          <dd className={cn('mt-1 text-2xl font-semibold tabular-nums', item.tone)} data-testid={item.testId}>
            {formatNumber(item.value)}
          </dd>
          {item.hint && <dd className="text-xs text-slate-500">{item.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}

const ENCODINGS: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-8-sig': 'UTF-8 with BOM',
  'utf-16': 'UTF-16',
  'utf-16-le': 'UTF-16',
  'utf-16-be': 'UTF-16',
  'utf-32': 'UTF-32',
  cp1252: 'Windows-1252',
  'latin-1': 'Latin-1',
};

/** "CSV, UTF-8 with BOM, semicolon-separated" or "Excel workbook". */
export function fileDescription(record: Pick<ContactImport, 'file_format' | 'encoding' | 'delimiter'>): string {
  if (record.file_format === 'xlsx') return 'Excel workbook';
  const parts = [record.file_format?.toUpperCase() ?? 'File'];
  if (record.encoding) parts.push(ENCODINGS[record.encoding.toLowerCase()] ?? record.encoding);
  if (record.delimiter) parts.push(`${delimiterLabel(record.delimiter)}-separated`);
  return parts.join(', ');
}

function fieldLabel(target: string): string {
  if (target.startsWith('attributes.')) return target.slice('attributes.'.length);
  return BUILTIN_LABELS[target as BuiltinTarget] ?? target;
}

function Result({ record }: { record: ContactImport }) {
  const toast = useToast();
  const groups = useAllGroups();
  const [downloading, setDownloading] = useState(false);
  const canDownload = useCan()('contacts:import');
  const group = groups.data?.find((candidate) => candidate.id === record.group_id);
  const seconds =
    record.started_at && record.finished_at
      ? (parseTimestamp(record.finished_at).getTime() - parseTimestamp(record.started_at).getTime()) / 1000
      : null;

  const download = async () => {
    setDownloading(true);
    try {
      const name = await downloadRejectedRows(record.id);
      toast.success('Rejected rows downloaded', name);
    } catch (error) {
      toast.error('The download failed', describeError(error));
    } finally {
      setDownloading(false);
    }
  };

  const total = record.created + record.updated + record.skipped + record.invalid;
  return (
    <div className="space-y-6">
      <Alert
        tone={record.invalid ? 'warning' : 'success'}
        title={
          record.invalid ? `Imported, with ${formatCount(record.invalid, 'row')} rejected` : 'Imported'
        }
      >
        {formatCount(total, 'row')} read
        {seconds !== null && seconds > 0 ? ` in ${formatDuration(seconds)}` : ''}
        {group ? `; the contacts are in the group “${group.name}”` : ''}.
        {record.invalid > 0 &&
          ' Fix the rejected rows in the downloaded file and import it again: rows already imported are updated, not duplicated.'}
      </Alert>
      <Counts record={record} />
      {record.invalid > 0 && (
        <Card aria-labelledby="rejected-title">
          <CardHeader
            titleId="rejected-title"
            title="Rejected rows"
            description={
              record.errors.length < record.invalid
                ? `The first ${formatNumber(record.errors.length)} of ${formatNumber(record.invalid)}; the download has all of them with their original cells.`
                : 'Each with its row number in the file (the header is row 1) and the reason.'
            }
            actions={
              record.has_rejected_rows &&
              canDownload && (
                <Button
                  variant="secondary"
                  onClick={() => void download()}
                  loading={downloading}
                  icon={<MoreIcon name="download" className="size-4" />}
                >
                  Download rejected rows (CSV)
                </Button>
              )
            }
          />
          <div className="max-h-96 overflow-auto rounded-b-xl">
            <table className="min-w-full divide-y divide-slate-200 text-left text-sm">
              <caption className="sr-only">Rejected rows</caption>
              <thead className="sticky top-0 bg-slate-50">
                <tr>
                  <th scope="col" className="w-20 px-5 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-6">
                    Row
                  </th>
                  <th scope="col" className="w-36 px-5 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-6">
                    Field
                  </th>
                  <th scope="col" className="px-5 py-2.5 text-xs font-medium tracking-wide text-slate-500 uppercase sm:px-6">
                    Reason
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 bg-white">
                {record.errors.map((error) => (
                  <tr key={`${error.row}-${error.field}`}>
                    <td className="px-5 py-2.5 text-slate-900 tabular-nums sm:px-6">{error.row}</td>
                    <td className="px-5 py-2.5 text-slate-700 sm:px-6">{fieldLabel(error.field)}</td>
                    <td className="px-5 py-2.5 break-words text-slate-700 sm:px-6">{error.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
      {record.columns && (
        <Card aria-labelledby="columns-title">
          <CardHeader titleId="columns-title" title="Columns" description={fileDescription(record)} />
          <CardBody>
            <ul className="grid gap-x-6 gap-y-1.5 text-sm sm:grid-cols-2">
              {Object.entries(record.columns.mapped).map(([header, target]) => (
                <li key={header} className="flex min-w-0 items-center gap-2">
                  <span className="truncate text-slate-900">{header}</span>
                  <Icon name="arrowLeft" className="size-3.5 rotate-180 text-slate-400" />
                  <span className="truncate text-slate-600">
                    {fieldLabel(target)}
                    {record.columns?.created_fields.includes(target.replace('attributes.', '')) ? ' (new field)' : ''}
                  </span>
                </li>
              ))}
              {record.columns.ignored.map((header) => (
                <li key={`ignored-${header}`} className="flex items-center gap-2 text-slate-400">
                  <span className="truncate line-through">{header}</span>
                  <span>not imported</span>
                </li>
              ))}
            </ul>
          </CardBody>
        </Card>
      )}
    </div>
  );
}

/** /contacts/imports/:id: live progress, then the outcome with the rejected rows. */
export default function ImportPage({ id }: { id: number }) {
  const query = useImport(id);
  if (query.isPending) return <PageSkeleton />;
  if (query.isError && !query.data) {
    return (
      <>
        <BackLink to="/imports">All imports</BackLink>
        <Card>
          {query.error instanceof NotFoundError ? (
            <EmptyState
              icon={<MoreIcon name="upload" className="size-6" />}
              title="This import is not in your organization"
              description="The link may belong to another organization."
            />
          ) : (
            <QueryError error={query.error} onRetry={() => void query.refetch()} />
          )}
        </Card>
      </>
    );
  }
  const record = query.data!;
  const finished = isImportFinished(record);
  return (
    <>
      <BackLink to="/imports">All imports</BackLink>
      <PageHeader
        title={`Import of ${record.filename}`}
        documentTitle={`Import ${record.id} · Contacts`}
        description={
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <ImportStatusBadge status={record.status} />
            <span>Started {formatDateTime(record.created_at)}</span>
          </span>
        }
        actions={
          finished ? (
            <>
              <Link
                href="/import"
                className={`${linkClass} bg-white text-slate-800 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50`}
              >
                Import another file
              </Link>
              {record.status === 'completed' && (
                <Link
                  href={record.group_id ? `?group=${record.group_id}` : ''}
                  className={`${linkClass} bg-indigo-600 text-white shadow-xs hover:bg-indigo-500`}
                >
                  See the contacts
                </Link>
              )}
            </>
          ) : undefined
        }
      />
      <div aria-live="polite">
        {query.isError && (
          <Alert tone="warning" className="mb-4">
            The progress could not be refreshed: {describeError(query.error)} Retrying…
          </Alert>
        )}
        {!finished && <Progress record={record} />}
        {record.status === 'completed' && <Result record={record} />}
        {record.status === 'failed' && (
          <Alert title="The import failed: nothing was applied">
            {record.error ?? 'The import stopped.'} Your contacts are as they were before. Correct the file and import it again.
          </Alert>
        )}
      </div>
    </>
  );
}
