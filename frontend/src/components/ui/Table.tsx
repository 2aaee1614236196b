import type { ReactNode } from 'react';
import { cn } from '../../lib/cn.ts';
import { Button } from './Button.tsx';
import { Skeleton } from './Skeleton.tsx';

export interface Column<T> {
  /** Stable id of the column. */
  id: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Extra classes for the header and cells (width, alignment, hiding on phones). */
  className?: string;
  /** Visually hide the header text (an actions column), keep it for screen readers. */
  srOnlyHeader?: boolean;
}

export interface DataTableProps<T> {
  /** Describes the table to screen readers (not shown). */
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** First page loading: skeleton rows. */
  loading?: boolean;
  /** Shown instead of the table when the list is empty (and not loading). */
  empty?: ReactNode;
  /** Keyset pagination: true while the server has more rows after the last one. */
  hasMore?: boolean;
  onLoadMore?: () => void;
  loadingMore?: boolean;
  /** Noun for the footer count: "3 members". */
  itemLabel?: { one: string; other: string };
}

/**
 * A list of server rows with keyset "load more": pages are appended, never re-numbered,
 * so the table stays correct while rows are added elsewhere.
 */
export function DataTable<T>({
  caption,
  columns,
  rows,
  rowKey,
  loading = false,
  empty,
  hasMore = false,
  onLoadMore,
  loadingMore = false,
  itemLabel,
}: DataTableProps<T>) {
  if (!loading && rows.length === 0 && empty) return <>{empty}</>;

  const count = itemLabel
    ? `${rows.length} ${rows.length === 1 ? itemLabel.one : itemLabel.other}${hasMore ? ' shown' : ''}`
    : null;

  return (
    <div>
      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-left text-sm" aria-busy={loading || undefined}>
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50/80">
            <tr>
              {columns.map((column) => (
                <th
                  key={column.id}
                  scope="col"
                  className={cn(
                    'px-5 py-2.5 text-xs font-medium tracking-wide whitespace-nowrap text-slate-500 uppercase first:pl-5 sm:px-6',
                    column.className,
                  )}
                >
                  {column.srOnlyHeader ? <span className="sr-only">{column.header}</span> : column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 bg-white">
            {loading
              ? Array.from({ length: 4 }, (_, index) => (
                  <tr key={`skeleton-${index}`}>
                    {columns.map((column) => (
                      <td key={column.id} className={cn('px-5 py-4 sm:px-6', column.className)}>
                        <Skeleton className="h-4 w-full max-w-40" />
                      </td>
                    ))}
                  </tr>
                ))
              : rows.map((row) => (
                  <tr key={rowKey(row)} className="hover:bg-slate-50/60">
                    {columns.map((column) => (
                      <td key={column.id} className={cn('px-5 py-3.5 align-middle text-slate-700 sm:px-6', column.className)}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </tr>
                ))}
          </tbody>
        </table>
      </div>
      {!loading && (count || hasMore) && (
        <div className="flex items-center justify-between gap-3 border-t border-slate-200 px-5 py-3 sm:px-6">
          <p className="text-sm text-slate-500" aria-live="polite">
            {count}
          </p>
          {hasMore && onLoadMore && (
            <Button variant="secondary" size="sm" onClick={onLoadMore} loading={loadingMore}>
              Load more
            </Button>
          )}
        </div>
      )}
    </div>
  );
}
