import type { InfiniteData } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import {
  appLink,
  badgeLabel,
  groupPreferences,
  markAllReadInPages,
  markReadInPages,
  unreadCount,
  type AppNotification,
  type Inbox,
} from './notifications.ts';

function item(id: number, read: boolean): AppNotification {
  return {
    id,
    type: 'campaign.sent',
    title: `Notification ${id}`,
    body: '',
    link: null,
    subject_type: null,
    subject_id: null,
    read_at: read ? '2026-01-01T00:00:00+00:00' : null,
    created_at: '2026-01-01T00:00:00+00:00',
  };
}

function inbox(...pages: { items: AppNotification[]; unread: number }[]): InfiniteData<Inbox, string | null> {
  return {
    pages: pages.map(({ items, unread }, index) => ({
      items,
      unread_count: unread,
      next_cursor: index < pages.length - 1 ? `c${index + 1}` : null,
    })),
    pageParams: pages.map((_, index) => (index === 0 ? null : `c${index}`)),
  };
}

describe('the inbox cache', () => {
  it('marks one notification read and counts it once, on every page', () => {
    const data = inbox({ items: [item(3, false), item(2, true)], unread: 2 }, { items: [item(1, false)], unread: 2 });
    const after = markReadInPages(data, 1, 'now');
    expect(after.pages[1]!.items[0]!.read_at).toBe('now');
    expect(unreadCount(after)).toBe(1);
    expect(after.pages.map((page) => page.unread_count)).toEqual([1, 1]);
    // Already read: nothing changes, the count does not go down twice.
    expect(unreadCount(markReadInPages(after, 1, 'later'))).toBe(1);
    expect(unreadCount(markReadInPages(after, 2, 'later'))).toBe(1);
  });

  it('marks everything read', () => {
    const data = inbox({ items: [item(2, false), item(1, true)], unread: 1 });
    const after = markAllReadInPages(data, 'now');
    expect(unreadCount(after)).toBe(0);
    expect(after.pages[0]!.items.map((entry) => entry.read_at)).toEqual(['now', '2026-01-01T00:00:00+00:00']);
    expect(unreadCount(undefined)).toBe(0);
  });
});

describe('notification display', () => {
  it('keeps the badge short', () => {
    expect(badgeLabel(1)).toBe('1');
    expect(badgeLabel(99)).toBe('99');
    expect(badgeLabel(100)).toBe('99+');
  });

  it('follows only links into the app', () => {
    expect(appLink('/campaigns/12')).toBe('/campaigns/12');
    expect(appLink('/domains/3?tab=records')).toBe('/domains/3?tab=records');
    expect(appLink(null)).toBeNull();
    expect(appLink('https://evil.example.com/')).toBeNull();
    expect(appLink('//evil.example.com/')).toBeNull();
    expect(appLink('/\\evil.example.com')).toBeNull();
    expect(appLink('javascript:alert(1)')).toBeNull();
  });

  it('groups preferences by area, in the product order', () => {
    const pref = (type: string) => ({ type, label: type, in_app: true, email: false });
    const groups = groupPreferences([
      pref('billing.quota_80'),
      pref('campaign.sent'),
      pref('domain.verified'),
      pref('campaign.failed'),
      pref('something.new'),
    ]);
    expect(groups.map((group) => group.group)).toEqual(['Campaigns', 'Sending domains', 'Billing', 'Other']);
    expect(groups[0]!.items.map((entry) => entry.type)).toEqual(['campaign.sent', 'campaign.failed']);
  });
});
