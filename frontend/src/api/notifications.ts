/**
 * In-app notifications (blueprints/notifications/api.py): the signed-in person's inbox in
 * the current organization and their preferences. People only: API keys have no inbox.
 *
 * The bell polls the first page, which carries `unread_count`. TanStack Query skips an
 * interval while the tab is hidden (`refetchIntervalInBackground: false`) and refetches
 * when the person comes back to it.
 */

import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import { api, type Page } from './client.ts';

export interface AppNotification {
  id: number;
  type: string;
  title: string;
  body: string;
  /** A path inside the app (`/campaigns/12`), or null. */
  link: string | null;
  subject_type: string | null;
  subject_id: number | null;
  read_at: string | null;
  created_at: string;
}

export interface Inbox extends Page<AppNotification> {
  unread_count: number;
}

export interface NotificationPreference {
  type: string;
  label: string;
  in_app: boolean;
  email: boolean;
}

export type Channel = 'in_app' | 'email';

export const NOTIFICATIONS_POLL_MS = 45_000;
export const INBOX_PAGE_SIZE = 20;

export const notificationKeys = {
  inbox: ['notifications', 'inbox'] as const,
  preferences: ['notifications', 'preferences'] as const,
};

type InboxData = InfiniteData<Inbox, string | null>;

export function useInbox({ enabled = true }: { enabled?: boolean } = {}) {
  return useInfiniteQuery<Inbox, Error, InboxData, readonly string[], string | null>({
    queryKey: notificationKeys.inbox,
    queryFn: ({ pageParam, signal }) =>
      api.get<Inbox>('/notifications', { query: { limit: INBOX_PAGE_SIZE, cursor: pageParam }, signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
    staleTime: 15_000,
    refetchInterval: NOTIFICATIONS_POLL_MS,
    refetchIntervalInBackground: false,
  });
}

/** The unread count the server sent with the newest page. */
export function unreadCount(data: InboxData | undefined): number {
  return data?.pages[0]?.unread_count ?? 0;
}

/** "3", or "99+" past 99 (the badge stays small). */
export function badgeLabel(count: number): string {
  return count > 99 ? '99+' : String(count);
}

/** The cache after marking one notification read (what the server will answer). */
export function markReadInPages(data: InboxData, id: number, at: string): InboxData {
  const wasUnread = data.pages.some((page) => page.items.some((item) => item.id === id && item.read_at === null));
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      unread_count: wasUnread ? Math.max(0, page.unread_count - 1) : page.unread_count,
      items: page.items.map((item) => (item.id === id && item.read_at === null ? { ...item, read_at: at } : item)),
    })),
  };
}

export function markAllReadInPages(data: InboxData, at: string): InboxData {
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      unread_count: 0,
      items: page.items.map((item) => (item.read_at === null ? { ...item, read_at: at } : item)),
    })),
  };
}

/** A notification's link when it is a path of this app; anything else is not followed. */
export function appLink(link: string | null): string | null {
  if (!link || !link.startsWith('/') || link.startsWith('//') || link.includes('\\')) return null;
  return link;
}

function useOptimisticInbox<V>(
  mutationFn: (variables: V) => Promise<unknown>,
  update: (data: InboxData, variables: V, at: string) => InboxData,
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn,
    onMutate: async (variables: V) => {
      await client.cancelQueries({ queryKey: notificationKeys.inbox });
      const previous = client.getQueryData<InboxData>(notificationKeys.inbox);
      if (previous) client.setQueryData(notificationKeys.inbox, update(previous, variables, new Date().toISOString()));
      return { previous };
    },
    onError: (_error, _variables, context) => {
      if (context?.previous) client.setQueryData(notificationKeys.inbox, context.previous);
    },
    onSettled: () => client.invalidateQueries({ queryKey: notificationKeys.inbox }),
  });
}

export function useMarkRead() {
  return useOptimisticInbox(
    (id: number) => api.post<AppNotification>(`/notifications/${id}/read`),
    (data, id, at) => markReadInPages(data, id, at),
  );
}

export function useMarkAllRead() {
  return useOptimisticInbox(
    () => api.post<{ marked: number }>('/notifications/read-all'),
    (data, _variables: void, at) => markAllReadInPages(data, at),
  );
}

export function usePreferences() {
  return useQuery({
    queryKey: notificationKeys.preferences,
    queryFn: () => api.get<{ items: NotificationPreference[] }>('/notifications/preferences'),
    select: (data) => data.items,
  });
}

export interface PreferenceChange {
  type: string;
  channel: Channel;
  enabled: boolean;
}

/** One toggle: saved at once, shown at once, put back if the server refuses. */
export function useSetPreference() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ type, channel, enabled }: PreferenceChange) =>
      api.put<{ items: NotificationPreference[] }>('/notifications/preferences', {
        items: [{ type, [channel]: enabled }],
      }),
    onMutate: async ({ type, channel, enabled }) => {
      await client.cancelQueries({ queryKey: notificationKeys.preferences });
      const previous = client.getQueryData<{ items: NotificationPreference[] }>(notificationKeys.preferences);
      if (previous) {
        client.setQueryData(notificationKeys.preferences, {
          items: previous.items.map((item) => (item.type === type ? { ...item, [channel]: enabled } : item)),
        });
      }
      return { previous };
    },
    onError: (_error, _change, context) => {
      if (context?.previous) client.setQueryData(notificationKeys.preferences, context.previous);
    },
    onSuccess: (saved) => client.setQueryData(notificationKeys.preferences, saved),
  });
}

/** Groups of the preferences screen, by the type's prefix (`campaign.sent` -> Campaigns). */
export const PREFERENCE_GROUPS: Record<string, string> = {
  campaign: 'Campaigns',
  import: 'Contacts',
  analytics: 'Deliverability',
  domain: 'Sending domains',
  member: 'Team',
  billing: 'Billing',
};

export function groupPreferences(items: readonly NotificationPreference[]): { group: string; items: NotificationPreference[] }[] {
  const groups = new Map<string, NotificationPreference[]>();
  for (const item of items) {
    const group = PREFERENCE_GROUPS[item.type.split('.')[0] ?? ''] ?? 'Other';
    groups.set(group, [...(groups.get(group) ?? []), item]);
  }
  const order = [...Object.values(PREFERENCE_GROUPS), 'Other'];
  return [...groups.entries()]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([group, grouped]) => ({ group, items: grouped }));
}
