/**
 * Campaigns (blueprints/campaigns/api.py): drafts, the pre-send review, sending,
 * scheduling, pausing and cancelling, test sends, live delivery progress (`/stats`) and
 * recipients; and a campaign's engagement (blueprints/analytics/api.py): statistics and
 * rates, the hourly timeline, the link table and its bounce / complaint / unsubscribe
 * events.
 */

import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import type { AnalyticsEvent, CampaignStats, EventType, SeriesCounts } from './analytics.ts';
import { api, type Page, type QueryValue } from './client.ts';

// --- types -------------------------------------------------------------------------------

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'sent', 'cancelled', 'failed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
export const RECIPIENT_STATUSES = ['queued', 'sent', 'failed', 'skipped', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export interface CampaignCounts {
  recipients: number;
  sent: number;
  failed: number;
  skipped: number;
  cancelled: number;
  queued: number;
}

export interface Campaign {
  id: number;
  name: string;
  status: CampaignStatus;
  /** Why it is paused or failed: `manual`, `error_rate`, `sender_domain_unverified`, … */
  status_code: string | null;
  status_reason: string | null;
  template_id: number | null;
  /** Pinned when sending starts; a draft follows the template's latest revision. */
  template_revision_id: number | null;
  /** Overrides the template's subject. */
  subject: string | null;
  from_email: string | null;
  from_name: string | null;
  reply_to: string | null;
  group_ids: number[];
  segment_ids: number[];
  exclude_group_ids: number[];
  exclude_segment_ids: number[];
  seed_emails: string[];
  track_opens: boolean;
  track_clicks: boolean;
  scheduled_at: string | null;
  /** The IANA zone the schedule was chosen in (for display). */
  timezone: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
  counts: CampaignCounts;
}

/** What a create or a PATCH sends; scheduling has its own endpoint. */
export interface CampaignInput {
  name?: string;
  template_id?: number | null;
  template_revision_id?: number | null;
  subject?: string | null;
  from_email?: string | null;
  from_name?: string | null;
  reply_to?: string | null;
  group_ids?: number[];
  segment_ids?: number[];
  exclude_group_ids?: number[];
  exclude_segment_ids?: number[];
  seed_emails?: string[];
  track_opens?: boolean;
  track_clicks?: boolean;
}

/** Live delivery progress (`GET /campaigns/{id}/stats`). */
export interface CampaignProgress extends CampaignCounts {
  campaign_id: number;
  status: CampaignStatus;
  status_code: string | null;
  status_reason: string | null;
  percent: number;
  /** Recipients per second over the last minute. */
  rate_per_second: number;
  average_rate_per_second: number;
  eta_seconds: number | null;
  started_at: string | null;
  finished_at: string | null;
  elapsed_seconds: number | null;
  batches: Record<string, number>;
  /** The latest distinct delivery errors. */
  errors: string[];
  /** Draft or scheduled: how many recipients the audience has now (seeds included). */
  audience: number | null;
}

export interface ReviewCheck {
  /** `status`, `audience`, `template`, `sender`, `billing`, `quota`. */
  name: string;
  ok: boolean;
  /** The server's sentence about the outcome (a fragment: show with `asSentence`). */
  message: string;
  code: string | null;
}

export interface CampaignReview {
  campaign_id: number;
  /** Every check passed. */
  ready: boolean;
  recipients: number;
  checks: ReviewCheck[];
  /** null limit and remaining: unlimited. */
  quota: { limit: number | null; used: number; remaining: number | null };
  /**
   * `verified`: the domain is a verified sending domain; `allowed`: the sending gate lets
   * it through (an unverified one only where the installation allows it: development).
   */
  sender: { email: string | null; domain: string | null; verified: boolean; allowed: boolean };
}

export interface CampaignRecipient {
  id: number;
  contact_id: number | null;
  email: string;
  status: RecipientStatus;
  is_seed: boolean;
  attempts: number;
  error: string | null;
  sent_at: string | null;
}

export interface CampaignTestResult {
  recipients: string[];
  subject: string;
  revision_id: number;
}

export interface TimelinePoint extends SeriesCounts {
  /** The start of a UTC hour. */
  hour: string;
}

export interface Timeline {
  campaign_id: number;
  start: string;
  end: string;
  points: TimelinePoint[];
}

export interface LinkStats {
  index: number;
  url: string;
  clicks: number;
  unique_clicks: number;
  machine_clicks: number;
  /** Share of the campaign's clicks, 0 to 1. */
  share: number;
}

export interface CampaignLinks {
  campaign_id: number;
  total_clicks: number;
  links: LinkStats[];
}

// --- query keys --------------------------------------------------------------------------

export const campaignKeys = {
  all: ['campaigns'] as const,
  lists: ['campaigns', 'list'] as const,
  list: (status: CampaignStatus | null) => ['campaigns', 'list', status ?? 'all'] as const,
  detail: (id: number) => ['campaigns', 'detail', id] as const,
  progress: (id: number) => ['campaigns', 'progress', id] as const,
  review: (id: number) => ['campaigns', 'review', id] as const,
  recipients: (id: number, status: RecipientStatus | null) => ['campaigns', 'recipients', id, status ?? 'all'] as const,
  engagement: (id: number) => ['analytics', 'campaign', id] as const,
  timeline: (id: number) => ['analytics', 'campaign', id, 'timeline'] as const,
  links: (id: number) => ['analytics', 'campaign', id, 'links'] as const,
  events: (id: number, type: EventType) => ['analytics', 'events', id, type] as const,
};

export const CAMPAIGNS_PAGE_SIZE = 25;
/** How often live progress is asked for while a campaign is sending. */
export const PROGRESS_POLL_MS = 2000;
export const MAX_TEST_ADDRESSES = 10;
export const MAX_SEEDS = 50;

/** A keyset-paginated list with extra query parameters. */
function usePages<T>(queryKey: readonly unknown[], path: string, query: Record<string, QueryValue>, limit = CAMPAIGNS_PAGE_SIZE) {
  return useInfiniteQuery<Page<T>, Error, InfiniteData<Page<T>>, readonly unknown[], string | null>({
    queryKey,
    queryFn: ({ pageParam, signal }) => api.get<Page<T>>(path, { query: { ...query, limit, cursor: pageParam }, signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

// --- campaigns ---------------------------------------------------------------------------

export function useCampaigns(status: CampaignStatus | null) {
  return usePages<Campaign>(campaignKeys.list(status), '/campaigns', { status });
}

export function useCampaign(id: number) {
  return useQuery({
    queryKey: campaignKeys.detail(id),
    queryFn: ({ signal }) => api.get<Campaign>(`/campaigns/${id}`, { signal }),
    // A scheduled campaign starts on its own when it is due: look again now and then.
    refetchInterval: (query) => (query.state.data?.status === 'scheduled' ? 30_000 : false),
  });
}

/** Everything shown about a campaign may have changed after a command. */
function useRefreshCampaign() {
  const client = useQueryClient();
  return (campaign: Campaign) => {
    client.setQueryData(campaignKeys.detail(campaign.id), campaign);
    void client.invalidateQueries({ queryKey: campaignKeys.lists });
    void client.invalidateQueries({ queryKey: campaignKeys.progress(campaign.id) });
    void client.invalidateQueries({ queryKey: campaignKeys.review(campaign.id) });
  };
}

export function useCreateCampaign() {
  const refresh = useRefreshCampaign();
  return useMutation({
    mutationFn: (input: CampaignInput & { name: string }) => api.post<Campaign>('/campaigns', input),
    onSuccess: refresh,
  });
}

/**
 * Saves changes to a draft. Saves of one campaign run one after the other (a mutation
 * scope), so that quick successive changes reach the server in the order they were made.
 */
export function useUpdateCampaign(id: number) {
  const refresh = useRefreshCampaign();
  return useMutation({
    mutationFn: (changes: CampaignInput) => api.patch<Campaign>(`/campaigns/${id}`, changes),
    scope: { id: `campaign-${id}` },
    onSuccess: refresh,
  });
}

/** Deletes a campaign; the caller leaves its page first, then calls `forget(id)`. */
export function useDeleteCampaign() {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: number) => api.delete(`/campaigns/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: campaignKeys.lists }),
  });
  const forget = (id: number) => client.removeQueries({ queryKey: campaignKeys.detail(id) });
  return { ...mutation, forget };
}

export function useDuplicateCampaign() {
  const refresh = useRefreshCampaign();
  return useMutation({
    mutationFn: ({ id, name }: { id: number; name?: string }) =>
      api.post<Campaign>(`/campaigns/${id}/duplicate`, name === undefined ? {} : { name }),
    onSuccess: refresh,
  });
}

/** The moves of the status machine that take no input. */
export type CampaignCommand = 'send' | 'unschedule' | 'pause' | 'resume' | 'cancel';

export function useCampaignCommand(id: number, command: CampaignCommand) {
  const refresh = useRefreshCampaign();
  return useMutation({
    mutationFn: () => api.post<Campaign>(`/campaigns/${id}/${command}`),
    onSuccess: refresh,
  });
}

export function useScheduleCampaign(id: number) {
  const refresh = useRefreshCampaign();
  return useMutation({
    mutationFn: (input: { scheduled_at: string; timezone: string | null }) => api.post<Campaign>(`/campaigns/${id}/schedule`, input),
    onSuccess: refresh,
  });
}

/** A test of the campaign as it is now, "[Test]" before the subject; default: the seed list. */
export function useSendCampaignTest(id: number) {
  return useMutation({
    mutationFn: (input: { emails?: string[]; contact_id?: number }) => api.post<CampaignTestResult>(`/campaigns/${id}/test`, input),
  });
}

/** How often to ask for progress again: only a sending campaign's changes by itself. */
export function progressPollInterval(progress: Pick<CampaignProgress, 'status'> | undefined): number | false {
  return progress?.status === 'sending' ? PROGRESS_POLL_MS : false;
}

/**
 * Delivery progress; asked again every `PROGRESS_POLL_MS` while the campaign is sending.
 * For a draft or a scheduled campaign, `audience` is the size of its audience now.
 */
export function useCampaignProgress(id: number, { enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: campaignKeys.progress(id),
    queryFn: ({ signal }) => api.get<CampaignProgress>(`/campaigns/${id}/stats`, { signal }),
    refetchInterval: (query) => progressPollInterval(query.state.data),
    enabled,
  });
}

/** The pre-send checks; asked afresh each time the review is shown. */
export function useCampaignReview(id: number) {
  return useQuery({
    queryKey: campaignKeys.review(id),
    queryFn: ({ signal }) => api.get<CampaignReview>(`/campaigns/${id}/review`, { signal }),
    staleTime: 0,
    refetchOnMount: 'always',
  });
}

export function useCampaignRecipients(id: number, status: RecipientStatus | null) {
  return usePages<CampaignRecipient>(campaignKeys.recipients(id, status), `/campaigns/${id}/recipients`, { status }, 50);
}

// --- engagement (analytics) ----------------------------------------------------------------

export function useCampaignEngagement(id: number, { live = false }: { live?: boolean } = {}) {
  return useQuery({
    queryKey: campaignKeys.engagement(id),
    queryFn: ({ signal }) => api.get<CampaignStats>(`/analytics/campaigns/${id}`, { signal }),
    // Opens and clicks arrive after the send: a report is always fetched afresh.
    staleTime: 0,
    // While sending, opens and clicks arrive by the minute; no need to ask every 2 s.
    refetchInterval: live ? 30_000 : false,
  });
}

export function useCampaignTimeline(id: number, { live = false }: { live?: boolean } = {}) {
  return useQuery({
    queryKey: campaignKeys.timeline(id),
    queryFn: ({ signal }) => api.get<Timeline>(`/analytics/campaigns/${id}/timeline`, { signal }),
    staleTime: 0,
    refetchInterval: live ? 60_000 : false,
  });
}

export function useCampaignLinks(id: number) {
  return useQuery({
    queryKey: campaignKeys.links(id),
    queryFn: ({ signal }) => api.get<CampaignLinks>(`/analytics/campaigns/${id}/links`, { signal }),
    staleTime: 0,
  });
}

/** One type of a campaign's events, newest first. */
export function useCampaignEvents(id: number, type: EventType) {
  return usePages<AnalyticsEvent>(campaignKeys.events(id, type), '/analytics/events', { campaign_id: id, type });
}
