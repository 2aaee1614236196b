import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { Link, useLocation } from 'wouter';
import type { Contact, Group } from '../../../api/contacts.ts';
import { Badge, Button, Skeleton } from '../../../components/ui/index.ts';
import { formatCount, formatDate, formatNumber } from '../../../lib/format.ts';
import { ContactStatusBadge, fullName, groupNames } from '../common.tsx';

export const ROW_HEIGHT = 57;
/** Start loading the next page this many rows before the end is scrolled into view. */
export const PREFETCH_ROWS = 30;

export interface VirtualContactTableProps {
  rows: readonly Contact[];
  total: number | undefined;
  groups: readonly Group[] | undefined;
  loading: boolean;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

/** Whether the rows shown reach close enough to the end of what is loaded to ask for more. */
export function shouldLoadMore(lastVisibleIndex: number, loaded: number, hasMore: boolean, loadingMore: boolean): boolean {
  return hasMore && !loadingMore && loaded > 0 && lastVisibleIndex >= loaded - PREFETCH_ROWS;
}

function GroupChips({ ids, groups }: { ids: readonly number[]; groups: readonly Group[] | undefined }) {
  if (ids.length === 0) return <span className="text-slate-400">—</span>;
  const names = groupNames(ids, groups);
  return (
    <span className="flex min-w-0 items-center gap-1 overflow-hidden" title={names.join(', ')}>
      {names.slice(0, 2).map((name, index) => (
        <Badge key={`${ids[index]}`} tone="brand" className="max-w-36 truncate">
          {name}
        </Badge>
      ))}
      {names.length > 2 && <span className="text-xs whitespace-nowrap text-slate-500">+{names.length - 2}</span>}
    </span>
  );
}

/**
 * The contacts as a table that renders only the rows in view (plus a few), so scrolling
 * through 100,000 loaded contacts stays smooth; the next page is fetched as the end comes
 * near. The table keeps its semantics for assistive technology: `aria-rowcount` is the
 * full count and each row says where it is.
 */
export function VirtualContactTable({ rows, total, groups, loading, hasMore, loadingMore, onLoadMore }: VirtualContactTableProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, navigate] = useLocation();
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
    // jsdom and the first paint have no layout: assume a screenful.
    initialRect: { width: 1000, height: 640 },
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length > 0 ? items[items.length - 1]!.index : -1;

  useEffect(() => {
    if (shouldLoadMore(lastIndex, rows.length, hasMore, loadingMore)) onLoadMore();
  }, [lastIndex, rows.length, hasMore, loadingMore, onLoadMore]);

  const paddingTop = items.length > 0 ? items[0]!.start : 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;
  const headerCell =
    'sticky top-0 z-10 bg-slate-50 px-5 py-2.5 text-xs font-medium tracking-wide whitespace-nowrap text-slate-500 uppercase shadow-[inset_0_-1px_0_var(--color-slate-200)] sm:px-6';

  return (
    <div>
      <div
        ref={scroller}
        className="max-h-[max(20rem,calc(100vh-29rem))] overflow-auto overscroll-contain"
        tabIndex={0}
        role="region"
        aria-label="Contacts, scrollable"
      >
        <table
          className="min-w-full table-fixed text-left text-sm"
          aria-busy={loading || undefined}
          aria-rowcount={total !== undefined ? total + 1 : -1}
        >
          <caption className="sr-only">Contacts</caption>
          <colgroup>
            <col />
            <col className="hidden w-36 sm:table-column" />
            <col className="hidden w-64 lg:table-column" />
            <col className="hidden w-36 md:table-column" />
          </colgroup>
          <thead>
            <tr aria-rowindex={1}>
              <th scope="col" className={headerCell}>
                Contact
              </th>
              <th scope="col" className={`${headerCell} hidden sm:table-cell`}>
                Status
              </th>
              <th scope="col" className={`${headerCell} hidden lg:table-cell`}>
                Groups
              </th>
              <th scope="col" className={`${headerCell} hidden md:table-cell`}>
                Added
              </th>
            </tr>
          </thead>
          <tbody className="bg-white">
            {loading &&
              Array.from({ length: 6 }, (_, index) => (
                <tr key={`skeleton-${index}`} style={{ height: ROW_HEIGHT }} className="border-b border-slate-100">
                  <td className="px-5 sm:px-6">
                    <Skeleton className="h-4 w-56 max-w-full" />
                  </td>
                  <td className="hidden px-5 sm:table-cell sm:px-6">
                    <Skeleton className="h-4 w-20" />
                  </td>
                  <td className="hidden px-5 sm:px-6 lg:table-cell">
                    <Skeleton className="h-4 w-24" />
                  </td>
                  <td className="hidden px-5 sm:px-6 md:table-cell">
                    <Skeleton className="h-4 w-20" />
                  </td>
                </tr>
              ))}
            {paddingTop > 0 && (
              <tr aria-hidden="true">
                <td colSpan={4} style={{ height: paddingTop, padding: 0 }} />
              </tr>
            )}
            {items.map((item) => {
              const contact = rows[item.index]!;
              const name = fullName(contact);
              return (
                <tr
                  key={contact.id}
                  aria-rowindex={item.index + 2}
                  style={{ height: ROW_HEIGHT }}
                  className="cursor-pointer border-b border-slate-100 hover:bg-slate-50/80"
                  onClick={(event) => {
                    // The email is the link (keyboard and middle-click); the rest of the row follows it.
                    if (!(event.target as HTMLElement).closest('a')) navigate(`/${contact.id}`);
                  }}
                >
                  <td className="max-w-0 px-5 sm:px-6">
                    <div className="flex items-center gap-2">
                      <div className="min-w-0 flex-1">
                        <Link
                          href={`/${contact.id}`}
                          className="block truncate font-medium text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
                        >
                          {contact.email}
                        </Link>
                        <p className="truncate text-xs text-slate-500">{name || 'No name'}</p>
                      </div>
                      <span className="sm:hidden">
                        <ContactStatusBadge status={contact.status} />
                      </span>
                    </div>
                  </td>
                  <td className="hidden px-5 sm:table-cell sm:px-6">
                    <ContactStatusBadge status={contact.status} />
                  </td>
                  <td className="hidden max-w-0 px-5 sm:px-6 lg:table-cell">
                    <GroupChips ids={contact.group_ids} groups={groups} />
                  </td>
                  <td className="hidden px-5 whitespace-nowrap text-slate-600 sm:px-6 md:table-cell">{formatDate(contact.created_at)}</td>
                </tr>
              );
            })}
            {paddingBottom > 0 && (
              <tr aria-hidden="true">
                <td colSpan={4} style={{ height: paddingBottom, padding: 0 }} />
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {!loading && (
        <div className="flex items-center justify-between gap-3 border-t border-slate-200 px-5 py-3 sm:px-6">
          <p className="text-sm text-slate-500" aria-live="polite" data-testid="contacts-loaded">
            {total !== undefined && rows.length < total
              ? `${formatNumber(rows.length)} of ${formatNumber(total)} loaded`
              : formatCount(rows.length, 'contact')}
          </p>
          {hasMore && (
            <Button variant="secondary" size="sm" onClick={onLoadMore} loading={loadingMore}>
              Load more
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
