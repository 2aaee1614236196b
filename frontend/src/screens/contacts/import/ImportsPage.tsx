import { Link } from 'wouter';
import { useImports, type ContactImport } from '../../../api/imports.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Card, DataTable, EmptyState, type Column } from '../../../components/ui/index.ts';
import { formatDateTime, formatNumber } from '../../../lib/format.ts';
import { ContactsHeader } from '../ContactsHeader.tsx';
import { ImportStatusBadge } from './ImportStatusBadge.tsx';

const importLink =
  'inline-flex h-9 items-center gap-2 rounded-lg bg-indigo-600 px-3.5 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';

function outcome(record: ContactImport): string {
  if (record.status === 'failed') return 'Nothing applied';
  if (record.status !== 'completed') return `${Math.floor(record.progress)}% · ${formatNumber(record.processed_rows)} rows`;
  const parts = [`${formatNumber(record.created)} added`, `${formatNumber(record.updated)} updated`];
  if (record.skipped) parts.push(`${formatNumber(record.skipped)} skipped`);
  if (record.invalid) parts.push(`${formatNumber(record.invalid)} rejected`);
  return parts.join(' · ');
}

const COLUMNS: Column<ContactImport>[] = [
  {
    id: 'file',
    header: 'File',
    cell: (record) => (
      <div className="min-w-0">
        <Link
          href={`/imports/${record.id}`}
          className="font-medium break-all text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {record.filename}
        </Link>
        <p className="mt-0.5 text-xs text-slate-500 sm:hidden">{outcome(record)}</p>
      </div>
    ),
  },
  { id: 'status', header: 'Status', cell: (record) => <ImportStatusBadge status={record.status} /> },
  { id: 'outcome', header: 'Outcome', className: 'hidden sm:table-cell', cell: (record) => outcome(record) },
  {
    id: 'date',
    header: 'Started',
    className: 'hidden md:table-cell whitespace-nowrap',
    cell: (record) => formatDateTime(record.created_at),
  },
];

/** /contacts/imports: every import, newest first, with its outcome. */
export default function ImportsPage() {
  const imports = useImports();
  const rows = imports.data?.pages.flatMap((page) => page.items) ?? [];
  const action = useCan()('contacts:import') && (
    <Link href="/import" className={importLink}>
      <MoreIcon name="upload" className="size-4" />
      Import contacts
    </Link>
  );
  return (
    <>
      <ContactsHeader actions={action || undefined} />
      <Card>
        {imports.isError ? (
          <QueryError error={imports.error} onRetry={() => void imports.refetch()} />
        ) : (
          <DataTable
            caption="Imports"
            columns={COLUMNS}
            rows={rows}
            rowKey={(record) => record.id}
            loading={imports.isPending}
            hasMore={imports.hasNextPage}
            onLoadMore={() => void imports.fetchNextPage()}
            loadingMore={imports.isFetchingNextPage}
            itemLabel={{ one: 'import', other: 'imports' }}
            empty={
              <EmptyState
                icon={<MoreIcon name="upload" className="size-6" />}
                title="No imports yet"
                description="Import a CSV or Excel file to add many contacts at once."
                action={action || undefined}
              />
            }
          />
        )}
      </Card>
    </>
  );
}
