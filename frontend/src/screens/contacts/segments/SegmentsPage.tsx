import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import { api } from '../../../api/client.ts';
import { useAllSegments, type Segment } from '../../../api/segments.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Card, DataTable, EmptyState, Skeleton, type Column } from '../../../components/ui/index.ts';
import { formatDate, formatNumber } from '../../../lib/format.ts';
import { ContactsHeader } from '../ContactsHeader.tsx';

const newLink =
  'inline-flex h-9 items-center gap-2 rounded-lg bg-indigo-600 px-3.5 text-sm font-medium whitespace-nowrap text-white shadow-xs hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';

function SegmentCount({ id }: { id: number }) {
  const count = useQuery({
    queryKey: ['segments', 'saved-count', id],
    queryFn: ({ signal }) => api.get<{ count: number }>(`/segments/${id}/count`, { signal }),
    staleTime: 30_000,
  });
  if (count.isPending) return <Skeleton className="ml-auto h-4 w-12" />;
  if (count.isError)
    return (
      <span className="text-slate-400" title={count.error.message}>
        —
      </span>
    );
  return <>{formatNumber(count.data.count)}</>;
}

const COLUMNS: Column<Segment>[] = [
  {
    id: 'name',
    header: 'Segment',
    cell: (segment) => (
      <div className="min-w-0">
        <Link
          href={`/segments/${segment.id}`}
          className="font-medium break-words text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {segment.name}
        </Link>
        {segment.description && <p className="mt-0.5 text-xs text-slate-500">{segment.description}</p>}
      </div>
    ),
  },
  {
    id: 'count',
    header: 'Contacts now',
    className: 'text-right whitespace-nowrap tabular-nums',
    cell: (segment) => <SegmentCount id={segment.id} />,
  },
  {
    id: 'updated',
    header: 'Last changed',
    className: 'hidden md:table-cell whitespace-nowrap',
    cell: (segment) => formatDate(segment.updated_at),
  },
  {
    id: 'open',
    header: 'Contacts',
    srOnlyHeader: true,
    className: 'w-px text-right whitespace-nowrap',
    cell: (segment) => (
      <Link
        href={`?segment=${segment.id}`}
        aria-label={`Contacts in ${segment.name}`}
        className="inline-flex h-8 items-center rounded-lg px-2.5 text-sm font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        View contacts
      </Link>
    ),
  },
];

/** /contacts/segments: saved segments with their current size. */
export default function SegmentsPage() {
  const segments = useAllSegments();
  const can = useCan();
  const action = can('contacts:write') && (
    <Link href="/segments/new" className={newLink}>
      <Icon name="plus" className="size-4" />
      New segment
    </Link>
  );
  return (
    <>
      <ContactsHeader actions={action || undefined} />
      <Card>
        {segments.isError ? (
          <QueryError error={segments.error} onRetry={() => void segments.refetch()} />
        ) : (
          <DataTable
            caption="Segments"
            columns={COLUMNS}
            rows={segments.data ?? []}
            rowKey={(segment) => segment.id}
            loading={segments.isPending}
            itemLabel={{ one: 'segment', other: 'segments' }}
            empty={
              <EmptyState
                icon={<MoreIcon name="segment" className="size-6" />}
                title="No segments yet"
                description="For example: subscribed contacts on the pro plan who signed up in the last 30 days. The count updates as you build the rules."
                action={action || undefined}
              />
            }
          />
        )}
      </Card>
    </>
  );
}
