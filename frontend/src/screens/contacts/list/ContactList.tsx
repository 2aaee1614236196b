import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import {
  CONTACT_STATUSES,
  useAllGroups,
  useContactCount,
  useContacts,
  type ContactFilters,
  type ContactStatus,
} from '../../../api/contacts.ts';
import { useAllSegments } from '../../../api/segments.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Button, Card, EmptyState, Input, Select } from '../../../components/ui/index.ts';
import { useDebouncedValue } from '../../../components/useDebouncedValue.ts';
import { formatNumber } from '../../../lib/format.ts';
import { STATUS_LABELS, Toolbar } from '../common.tsx';
import { ContactsHeader } from '../ContactsHeader.tsx';
import { AddContactDialog } from './AddContactDialog.tsx';
import { ExportDialog } from './ExportDialog.tsx';
import { VirtualContactTable } from './VirtualContactTable.tsx';

const linkButton =
  'inline-flex h-9 shrink-0 items-center justify-center gap-2 rounded-lg px-3.5 text-sm font-medium whitespace-nowrap transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600';

/** The filters of the list, read from and written to the query string (`?q=&status=&group=&segment=`). */
export function filtersFromSearch(search: string): ContactFilters {
  const params = new URLSearchParams(search);
  const filters: ContactFilters = {};
  const q = params.get('q')?.trim();
  if (q) filters.q = q.slice(0, 200);
  const status = params.get('status');
  if (status && (CONTACT_STATUSES as readonly string[]).includes(status)) filters.status = status as ContactStatus;
  const group = Number(params.get('group'));
  if (Number.isInteger(group) && group > 0) filters.group_id = group;
  const segment = Number(params.get('segment'));
  if (Number.isInteger(segment) && segment > 0) filters.segment_id = segment;
  return filters;
}

export function searchFromFilters(filters: ContactFilters): string {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.status) params.set('status', filters.status);
  if (filters.group_id) params.set('group', String(filters.group_id));
  if (filters.segment_id) params.set('segment', String(filters.segment_id));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** /contacts: search and filters over the virtualised table, with import, export and add. */
export function ContactList() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const [query, setQuery] = useState(filters.q ?? '');
  const debouncedQuery = useDebouncedValue(query.trim(), 300);
  const [adding, setAdding] = useState(false);
  const [exporting, setExporting] = useState(false);
  const can = useCan();

  const setFilters = useCallback((next: ContactFilters) => navigate(searchFromFilters(next), { replace: true }), [navigate]);

  // The typed search reaches the URL (and so the query) once typing pauses.
  useEffect(() => {
    if ((filters.q ?? '') === debouncedQuery) return;
    const { q: _previous, ...rest } = filters;
    setFilters(debouncedQuery ? { ...rest, q: debouncedQuery } : rest);
    // Only the debounced text drives this: a change of the other filters must not re-run it.
  }, [debouncedQuery]); // eslint-disable-line react-hooks/exhaustive-deps

  const contacts = useContacts(filters);
  const count = useContactCount(filters);
  const groups = useAllGroups();
  const segments = useAllSegments();
  const rows = useMemo(() => contacts.data?.pages.flatMap((page) => page.items) ?? [], [contacts.data]);
  const filtered = Boolean(filters.q || filters.status || filters.group_id || filters.segment_id);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = contacts;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const update = (change: { [K in keyof ContactFilters]?: ContactFilters[K] | undefined }) => {
    const next: Record<string, unknown> = { ...filters, ...change };
    for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
    setFilters(next as ContactFilters);
  };

  const groupOptions = [
    { value: '', label: 'All groups' },
    ...(groups.data ?? []).map((group) => ({ value: String(group.id), label: `${group.name} (${formatNumber(group.contact_count)})` })),
  ];
  const segmentOptions = [
    { value: '', label: 'All segments' },
    ...(segments.data ?? []).map((segment) => ({ value: String(segment.id), label: segment.name })),
  ];

  const actions = (
    <>
      {can('contacts:export') && (
        <Button variant="secondary" onClick={() => setExporting(true)} icon={<MoreIcon name="download" className="size-4" />}>
          Export
        </Button>
      )}
      {can('contacts:import') && (
        <Link
          href="/import"
          className={`${linkButton} bg-white text-slate-800 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50`}
        >
          <MoreIcon name="upload" className="size-4" />
          Import
        </Link>
      )}
      {can('contacts:write') && (
        <Button onClick={() => setAdding(true)} icon={<Icon name="plus" className="size-4" />}>
          Add contact
        </Button>
      )}
    </>
  );

  let body;
  if (contacts.isError) {
    body = <QueryError error={contacts.error} onRetry={() => void contacts.refetch()} />;
  } else if (!contacts.isPending && rows.length === 0) {
    body = filtered ? (
      <EmptyState
        icon={<MoreIcon name="search" className="size-6" />}
        title="No contacts match"
        description="Try another search, or clear the filters to see everyone."
        action={
          <Button
            variant="secondary"
            onClick={() => {
              setQuery('');
              setFilters({});
            }}
          >
            Clear filters
          </Button>
        }
      />
    ) : (
      <EmptyState
        icon={<Icon name="contacts" className="size-6" />}
        title="Bring in your contacts"
        description="Import a CSV or Excel file: columns such as Email, First name or Vorname are recognised, and every row that cannot be imported is listed with the reason."
        action={
          <div className="flex flex-wrap justify-center gap-2">
            {can('contacts:import') && (
              <Link href="/import" className={`${linkButton} bg-indigo-600 text-white shadow-xs hover:bg-indigo-500`}>
                <MoreIcon name="upload" className="size-4" />
                Import contacts
              </Link>
            )}
            {can('contacts:write') && (
              <Button variant="secondary" onClick={() => setAdding(true)}>
                Add one contact
              </Button>
            )}
          </div>
        }
      />
    );
  } else {
    body = (
      <VirtualContactTable
        rows={rows}
        total={count.data?.count}
        groups={groups.data}
        loading={contacts.isPending}
        hasMore={hasNextPage}
        loadingMore={isFetchingNextPage}
        onLoadMore={loadMore}
      />
    );
  }

  return (
    <>
      <ContactsHeader actions={actions} />
      <Card>
        <Toolbar>
          <Input
            label="Search"
            type="search"
            placeholder="Address or name"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            containerClassName="col-span-2 sm:min-w-48 sm:flex-1"
            autoComplete="off"
            spellCheck={false}
          />
          <Select
            label="Status"
            value={filters.status ?? ''}
            onChange={(event) => update({ status: (event.target.value || undefined) as ContactStatus | undefined })}
            options={[
              { value: '', label: 'Any status' },
              ...CONTACT_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] })),
            ]}
            containerClassName="sm:w-36"
          />
          <Select
            label="Group"
            value={filters.group_id ? String(filters.group_id) : ''}
            onChange={(event) => update({ group_id: event.target.value ? Number(event.target.value) : undefined })}
            options={groupOptions}
            containerClassName="sm:w-40"
          />
          <Select
            label="Segment"
            value={filters.segment_id ? String(filters.segment_id) : ''}
            onChange={(event) => update({ segment_id: event.target.value ? Number(event.target.value) : undefined })}
            options={segmentOptions}
            containerClassName="col-span-2 sm:w-40"
          />
        </Toolbar>
        <div className="flex min-h-11 items-center justify-between gap-3 border-b border-slate-200 bg-slate-50/60 px-5 py-2 text-sm sm:px-6">
          <p className="text-slate-600" role="status" data-testid="contacts-count">
            {count.data === undefined ? (
              'Counting…'
            ) : (
              <>
                <span className="font-semibold text-slate-900">{formatNumber(count.data.count)}</span>{' '}
                {count.data.count === 1 ? 'contact' : 'contacts'}
                {filtered ? ' match' : ''}
              </>
            )}
          </p>
          {filtered && (
            <button
              type="button"
              className="rounded-md text-sm font-medium text-indigo-700 hover:text-indigo-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
              onClick={() => {
                setQuery('');
                setFilters({});
              }}
            >
              Clear filters
            </button>
          )}
        </div>
        {body}
      </Card>
      <AddContactDialog open={adding} onClose={() => setAdding(false)} groups={groups.data ?? []} />
      <ExportDialog
        open={exporting}
        onClose={() => setExporting(false)}
        groups={groups.data ?? []}
        segments={segments.data ?? []}
        initial={filters}
      />
    </>
  );
}
