/**
 * Analytics (blueprints/analytics/api.py): the organization's overview, a campaign's
 * counters and rates, and the event log; plus the two small campaign reads the dashboard
 * and the contact page need (the newest campaigns, a campaign's name), kept apart from
 * the campaigns area so neither depends on the other's screens.
 *
 * Rates are fractions (0.0123 = 1.23 %); they divide by `delivered` when the provider
 * reports deliveries, else by `sent - bounces` (`rates.delivered_base` says which).
 */

import { useInfiniteQuery, useQueries, useQuery, type InfiniteData } from '@tanstack/react-query';
import type { Campaign, CampaignStatus } from './campaigns.ts';
import { api, type Page } from './client.ts';

/** The counters of a day, a campaign or the whole window (`stats.SERIES`). */
export interface SeriesCounts {
  sent: number;
  delivered: number;
  opens: number;
  unique_opens: number;
  machine_opens: number;
  clicks: number;
  unique_clicks: number;
  machine_clicks: number;
  bounces: number;
  complaints: number;
  unsubscribes: number;
}

export interface Rates {
  delivered_base: 'delivered' | 'sent_minus_bounces';
  open_rate: number;
  click_rate: number;
  click_to_open_rate: number;
  bounce_rate: number;
  complaint_rate: number;
  unsubscribe_rate: number;
  machine_open_share: number;
}

export interface OverviewDay extends SeriesCounts {
  /** ISO date (UTC day), e.g. "2026-11-01". */
  day: string;
}

export interface OverviewCampaign extends SeriesCounts {
  campaign_id: number;
  name: string | null;
  rates: Rates;
}

export interface Overview {
  days: number;
  start: string;
  end: string;
  totals: SeriesCounts & { campaigns: number };
  rates: Rates;
  /** One row per day of the window, oldest first, zeros included. */
  daily: OverviewDay[];
  /** Campaigns active in the window, most sent first (at most 50). */
  campaigns: OverviewCampaign[];
}

export interface CampaignStats extends SeriesCounts {
  campaign_id: number;
  name: string;
  status: CampaignStatus;
  recipients: number;
  failed: number;
  deferred: number;
  dropped: number;
  soft_bounces: number;
  rates: Rates;
  last_event_at: string | null;
}

export type EventType =
  | 'sent'
  | 'delivered'
  | 'deferred'
  | 'bounce'
  | 'dropped'
  | 'open'
  | 'click'
  | 'spamreport'
  | 'unsubscribe';

export interface AnalyticsEvent {
  id: number;
  type: EventType;
  campaign_id: number | null;
  recipient_id: number | null;
  contact_id: number | null;
  /** Index in the campaign's link table (clicks). */
  link_index: number | null;
  /** A privacy proxy or a scanner, not a person (`details.machine_reason` says why). */
  machine: boolean;
  /** A coarse client family ("Gmail image proxy", "Chrome on Windows"). */
  client: string | null;
  /** `tracking`, `sendgrid`, `dsn` (bounce mailbox), `page` (unsubscribe page). */
  source: string;
  occurred_at: string;
  /** The recipient's address (campaign events); null when there is none. */
  email: string | null;
  /** Per type: `hard`, `status`, `reason` (bounces), `url` (clicks), `scope` (unsubscribes). */
  details: Record<string, unknown>;
}

export const OVERVIEW_DAYS = 30;
export const EVENTS_PAGE_SIZE = 20;

export const analyticsKeys = {
  all: ['analytics'] as const,
  overview: (days: number) => ['analytics', 'overview', days] as const,
  campaign: (id: number) => ['analytics', 'campaign', id] as const,
  contactEvents: (contactId: number) => ['analytics', 'events', 'contact', contactId] as const,
  // Under the campaigns area's list key: creating, changing or deleting a campaign there
  // invalidates ['campaigns', 'list'] and so refreshes these too.
  recentCampaigns: (limit: number) => ['campaigns', 'list', 'recent', limit] as const,
  sentCampaign: ['campaigns', 'list', 'any-sent'] as const,
  campaignName: (id: number) => ['campaigns', 'name', id] as const,
};

/**
 * Engagement changes without anything done in this tab (sends finish, opens arrive):
 * figures are refetched whenever a screen showing them mounts, and every minute while
 * it stays open.
 */
const LIVE_FIGURES = { staleTime: 0, refetchInterval: 60_000 } as const;

export function useOverview(days: number = OVERVIEW_DAYS, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: analyticsKeys.overview(days),
    queryFn: ({ signal }) => api.get<Overview>('/analytics/overview', { query: { days }, signal }),
    enabled,
    ...LIVE_FIGURES,
  });
}

/** Counters and rates of several campaigns (their whole life, not a window). */
export function useCampaignsStats(ids: readonly number[], { enabled = true }: { enabled?: boolean } = {}) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: analyticsKeys.campaign(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<CampaignStats>(`/analytics/campaigns/${id}`, { signal }),
      enabled,
      ...LIVE_FIGURES,
    })),
  });
}

/** A contact's events, newest first, a page at a time. */
export function useContactEvents(contactId: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useInfiniteQuery<Page<AnalyticsEvent>, Error, InfiniteData<Page<AnalyticsEvent>>, readonly unknown[], string | null>({
    queryKey: analyticsKeys.contactEvents(contactId),
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<AnalyticsEvent>>('/analytics/events', {
        query: { contact_id: contactId, limit: EVENTS_PAGE_SIZE, cursor: pageParam },
        signal,
      }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  });
}

/** The newest campaigns (the list is newest first). */
export function useRecentCampaigns(limit: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: analyticsKeys.recentCampaigns(limit),
    queryFn: ({ signal }) => api.get<Page<Campaign>>('/campaigns', { query: { limit }, signal }),
    enabled,
  });
}

/** Whether any campaign was ever sent, for when the newest ones are all drafts. */
export function useHasSentCampaign({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: analyticsKeys.sentCampaign,
    queryFn: ({ signal }) => api.get<Page<Campaign>>('/campaigns', { query: { limit: 1, status: 'sent' }, signal }),
    select: (page) => page.items.length > 0,
    enabled,
  });
}

/**
 * The names of some campaigns, by id; a campaign not (yet) known is left out. Names
 * rarely change, so they are kept for a while.
 */
export function useCampaignNames(ids: readonly number[], { enabled = true }: { enabled?: boolean } = {}): Map<number, string> {
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: analyticsKeys.campaignName(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Campaign>(`/campaigns/${id}`, { signal }),
      select: (campaign: Campaign) => campaign.name,
      staleTime: 5 * 60_000,
      enabled,
    })),
  });
  const names = new Map<number, string>();
  ids.forEach((id, index) => {
    const name = results[index]?.data;
    if (name) names.set(id, name);
  });
  return names;
}
