/**
 * Outgoing webhooks (blueprints/analytics/api_webhooks.py): the HTTPS endpoints that
 * receive the organization's events as signed POSTs, their delivery log, replays and
 * test pings. Everything needs `webhooks:manage` (owners and admins).
 */

import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { usePagedList } from './accounts.ts';
import { api, type Page } from './client.ts';

/** Subscribes an endpoint to every event type, present and future. */
export const ALL_EVENTS = '*';

export interface Webhook {
  id: number;
  url: string;
  description: string | null;
  /** Event type names, or `["*"]` for all of them. */
  event_types: string[];
  enabled: boolean;
  created_at: string;
  updated_at: string;
  last_success_at: string | null;
  last_failure_at: string | null;
}

export interface WebhookWithSecret extends Webhook {
  /** The signing secret (`whsec_...`): the API returns it only in this answer. */
  secret: string;
}

export interface WebhookInput {
  url: string;
  event_types: string[];
  description: string | null;
  enabled?: boolean;
}

export interface WebhookEventType {
  type: string;
  description: string;
}

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

export interface Delivery {
  id: number;
  endpoint_id: number;
  event_type: string;
  /** The event's id in the payload: the same for a replay, so receivers can deduplicate. */
  event_id: string;
  status: DeliveryStatus;
  attempts: number;
  response_status: number | null;
  /** The first 1,000 characters of the receiver's answer. */
  response_body: string | null;
  error: string | null;
  duration_ms: number | null;
  replay_of_id: number | null;
  created_at: string;
  last_attempt_at: string | null;
  delivered_at: string | null;
  payload: Record<string, unknown>;
}

export const DELIVERIES_PAGE_SIZE = 20;
const PENDING_POLL_MS = 3000;

export const webhookKeys = {
  all: ['webhooks'] as const,
  list: ['webhooks', 'list'] as const,
  eventTypes: ['webhooks', 'event-types'] as const,
  deliveries: (endpointId: number) => ['webhooks', 'deliveries', endpointId] as const,
};

export function useWebhooks() {
  return usePagedList<Webhook>(webhookKeys.list, '/webhooks');
}

export function useWebhookEventTypes() {
  return useQuery({
    queryKey: webhookKeys.eventTypes,
    queryFn: ({ signal }) => api.get<{ items: WebhookEventType[] }>('/webhooks/event-types', { signal }),
    select: (answer) => answer.items,
    staleTime: Infinity,
  });
}

/** The list with one endpoint replaced, without a refetch. */
function replaceWebhook(data: InfiniteData<Page<Webhook>> | undefined, webhook: Webhook) {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => (item.id === webhook.id ? { ...item, ...stripSecret(webhook) } : item)),
    })),
  };
}

/** The secret must not linger in the cache once it was shown. */
function stripSecret(webhook: Webhook | WebhookWithSecret): Webhook {
  if (!('secret' in webhook)) return webhook;
  const { secret: _secret, ...rest } = webhook;
  return rest;
}

export function useCreateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: WebhookInput) => api.post<WebhookWithSecret>('/webhooks', input),
    onSuccess: () => client.invalidateQueries({ queryKey: webhookKeys.list }),
  });
}

export function useUpdateWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: Partial<WebhookInput> }) =>
      api.patch<Webhook>(`/webhooks/${id}`, changes),
    onSuccess: (webhook) =>
      client.setQueryData<InfiniteData<Page<Webhook>>>(webhookKeys.list, (data) => replaceWebhook(data, webhook)),
  });
}

export function useDeleteWebhook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/webhooks/${id}`),
    onSuccess: (_answer, id) => {
      client.removeQueries({ queryKey: webhookKeys.deliveries(id) });
      return client.invalidateQueries({ queryKey: webhookKeys.list });
    },
  });
}

/** A new signing secret; the old one keeps signing too for 24 hours. */
export function useRotateSecret() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<WebhookWithSecret>(`/webhooks/${id}/rotate-secret`),
    onSuccess: (webhook) =>
      client.setQueryData<InfiniteData<Page<Webhook>>>(webhookKeys.list, (data) => replaceWebhook(data, webhook)),
  });
}

/**
 * A delivery attempt also stamps its endpoint's last success or failure: the log and
 * the endpoint list are both read again (without Redis the attempt is already done).
 */
function refreshAfterDelivery(client: QueryClient, endpointId: number): Promise<unknown> {
  return Promise.all([
    client.invalidateQueries({ queryKey: webhookKeys.deliveries(endpointId) }),
    client.invalidateQueries({ queryKey: webhookKeys.list }),
  ]);
}

/** Queues a `ping` event to the endpoint (whatever its event types). */
export function useSendTestPing() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Delivery>(`/webhooks/${id}/test`),
    onSuccess: (delivery) => refreshAfterDelivery(client, delivery.endpoint_id),
  });
}

export function useDeliveries(endpointId: number, { enabled = true }: { enabled?: boolean } = {}) {
  const client = useQueryClient();
  const query = useInfiniteQuery<Page<Delivery>, Error, InfiniteData<Page<Delivery>>, readonly unknown[], string | null>({
    queryKey: webhookKeys.deliveries(endpointId),
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Delivery>>(`/webhooks/${endpointId}/deliveries`, {
        query: { limit: DELIVERIES_PAGE_SIZE, cursor: pageParam },
        signal,
      }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // A queued delivery (a test ping, a replay) is usually attempted within seconds.
    refetchInterval: (current) => (hasPending(current.state.data) ? PENDING_POLL_MS : false),
    enabled,
  });
  // When a delivery the log was waiting for settles, its endpoint's stamps changed too.
  const pending = hasPending(query.data);
  const wasPending = useRef(pending);
  useEffect(() => {
    if (wasPending.current && !pending) void client.invalidateQueries({ queryKey: webhookKeys.list });
    wasPending.current = pending;
  }, [pending, client]);
  return query;
}

function hasPending(data: InfiniteData<Page<Delivery>> | undefined): boolean {
  return data?.pages.some((page) => page.items.some((item) => item.status === 'pending')) ?? false;
}

/** Delivers the event again: a new delivery with the same event id. */
export function useReplayDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Delivery>(`/webhooks/deliveries/${id}/replay`),
    onSuccess: (delivery) => refreshAfterDelivery(client, delivery.endpoint_id),
  });
}
