import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import {
  appLink,
  badgeLabel,
  unreadCount,
  useInbox,
  useMarkAllRead,
  useMarkRead,
  type AppNotification,
} from '../../api/notifications.ts';
import { describeError } from '../../api/errors.ts';
import { cn } from '../../lib/cn.ts';
import { formatDateTime, formatRelative } from '../../lib/format.ts';
import { Icon } from '../Icon.tsx';
import { Button, LoadingRegion, Skeleton } from '../ui/index.ts';
import { useDismiss } from '../ui/Popover.tsx';

function NotificationItem({ item, onOpen }: { item: AppNotification; onOpen: (item: AppNotification) => void }) {
  const unread = item.read_at === null;
  const link = appLink(item.link);
  const content = (
    <>
      <span
        className={cn('mt-1.5 size-2 shrink-0 rounded-full', unread ? 'bg-indigo-600' : 'bg-transparent')}
        aria-hidden="true"
      />
      <span className="min-w-0 flex-1">
        <span className={cn('block text-sm', unread ? 'font-semibold text-slate-900' : 'text-slate-700')}>
          {item.title}
          {unread && <span className="sr-only"> (unread)</span>}
        </span>
        {item.body && <span className="mt-0.5 line-clamp-2 block text-sm text-slate-500">{item.body}</span>}
        <time dateTime={item.created_at} title={formatDateTime(item.created_at)} className="mt-1 block text-xs text-slate-400">
          {formatRelative(item.created_at)}
        </time>
      </span>
    </>
  );
  const className = cn(
    'flex w-full gap-3 px-4 py-3 text-left hover:bg-slate-50 focus-visible:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600',
    unread && 'bg-indigo-50/40',
  );
  return (
    <li>
      {link ? (
        <Link href={link} className={className} onClick={() => onOpen(item)}>
          {content}
        </Link>
      ) : (
        <button type="button" className={className} onClick={() => onOpen(item)}>
          {content}
        </button>
      )}
    </li>
  );
}

/**
 * The bell of the top bar: the unread count (polled), and a panel with the latest
 * notifications; opening one marks it read and follows its link into the app.
 */
export function NotificationBell() {
  const [open, setOpen] = useState(false);
  const inbox = useInbox();
  const markRead = useMarkRead();
  const markAllRead = useMarkAllRead();
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const titleId = useId();
  useDismiss(open, () => setOpen(false), button, panel);

  useEffect(() => {
    if (open) panel.current?.focus();
  }, [open]);

  const count = unreadCount(inbox.data);
  const items = inbox.data?.pages.flatMap((page) => page.items) ?? [];
  const label = count > 0 ? `Notifications, ${count} unread` : 'Notifications';

  const openItem = (item: AppNotification) => {
    if (item.read_at === null) markRead.mutate(item.id);
    if (appLink(item.link)) setOpen(false);
  };

  return (
    <div className="sm:relative">
      <button
        ref={button}
        type="button"
        aria-label={label}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => {
          // Opening shows what is new now, not what the last poll saw.
          if (!open && !inbox.isFetching) void inbox.refetch();
          setOpen(!open);
        }}
        className="relative rounded-lg p-2 text-slate-500 hover:bg-slate-100 hover:text-slate-800 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        <Icon name="bell" />
        {count > 0 && (
          <span
            aria-hidden="true"
            data-testid="unread-count"
            className="absolute top-0.5 right-0.5 flex h-4 min-w-4 items-center justify-center rounded-full bg-rose-600 px-1 text-[0.625rem] leading-none font-semibold text-white ring-2 ring-white"
          >
            {badgeLabel(count)}
          </span>
        )}
      </button>
      {open && (
        <div
          ref={panel}
          id={panelId}
          role="dialog"
          aria-labelledby={titleId}
          tabIndex={-1}
          className="fixed inset-x-2 top-16 z-40 flex max-h-[min(32rem,calc(100vh-5rem))] flex-col rounded-xl bg-white shadow-xl ring-1 ring-slate-900/10 focus:outline-none sm:absolute sm:inset-x-auto sm:top-full sm:right-0 sm:mt-2 sm:w-96"
        >
          <div className="flex items-center justify-between gap-3 border-b border-slate-200 px-4 py-3">
            <h2 id={titleId} className="text-sm font-semibold text-slate-900">
              Notifications
            </h2>
            {count > 0 && (
              <Button variant="ghost" size="sm" onClick={() => markAllRead.mutate()} loading={markAllRead.isPending}>
                Mark all read
              </Button>
            )}
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto">
            {inbox.isPending ? (
              <LoadingRegion label="Loading notifications…">
                <div className="space-y-4 p-4">
                  <Skeleton className="h-4 w-3/4" />
                  <Skeleton className="h-4 w-1/2" />
                  <Skeleton className="h-4 w-2/3" />
                </div>
              </LoadingRegion>
            ) : inbox.isError && items.length === 0 ? (
              <div className="p-4 text-sm text-slate-600">
                <p>{describeError(inbox.error)}</p>
                <Button variant="secondary" size="sm" className="mt-3" onClick={() => void inbox.refetch()}>
                  Try again
                </Button>
              </div>
            ) : items.length === 0 ? (
              <div className="flex flex-col items-center px-6 py-10 text-center">
                <span className="flex size-10 items-center justify-center rounded-full bg-indigo-50 text-indigo-600" aria-hidden="true">
                  <Icon name="bell" />
                </span>
                <p className="mt-3 text-sm font-medium text-slate-900">You are all caught up</p>
                <p className="mt-1 text-sm text-slate-500">Finished campaigns, imports and domain checks appear here.</p>
              </div>
            ) : (
              <ul className="divide-y divide-slate-100" aria-label="Latest notifications">
                {items.map((item) => (
                  <NotificationItem key={item.id} item={item} onOpen={openItem} />
                ))}
              </ul>
            )}
            {inbox.hasNextPage && (
              <div className="border-t border-slate-100 p-3 text-center">
                <Button variant="ghost" size="sm" onClick={() => void inbox.fetchNextPage()} loading={inbox.isFetchingNextPage}>
                  Show older
                </Button>
              </div>
            )}
          </div>
          <div className="border-t border-slate-200 px-4 py-2.5">
            <Link
              href="/settings/notifications"
              onClick={() => setOpen(false)}
              className="rounded text-sm font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              Notification settings
            </Link>
          </div>
        </div>
      )}
    </div>
  );
}
