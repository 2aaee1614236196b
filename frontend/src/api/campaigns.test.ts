import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import { createElement, type ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { progress } from '../screens/campaigns/fixtures.ts';
import { fakeApi, json } from '../test/http.ts';
import { PROGRESS_POLL_MS, progressPollInterval, useCampaignEvents, useCampaignProgress, useCampaigns, useUpdateCampaign } from './campaigns.ts';

function wrapper() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
  return ({ children }: { children: ReactNode }) => createElement(QueryClientProvider, { client }, children);
}

const search = (url: string) => Object.fromEntries(new URL(url, 'http://x').searchParams);

describe('campaign hooks', () => {
  it('list campaigns by status and a campaign’s events by type', async () => {
    const { requests } = fakeApi({
      'GET /api/v1/campaigns': json(200, { items: [], next_cursor: null }),
      'GET /api/v1/analytics/events': json(200, { items: [], next_cursor: null }),
    });
    const all = renderHook(() => useCampaigns(null), { wrapper: wrapper() });
    const sent = renderHook(() => useCampaigns('sent'), { wrapper: wrapper() });
    const bounces = renderHook(() => useCampaignEvents(12, 'bounce'), { wrapper: wrapper() });
    await waitFor(() => expect(all.result.current.isSuccess && sent.result.current.isSuccess && bounces.result.current.isSuccess).toBe(true));
    expect(requests.map((request) => [request.path, search(request.url)])).toEqual([
      ['/api/v1/campaigns', { limit: '25' }],
      ['/api/v1/campaigns', { status: 'sent', limit: '25' }],
      ['/api/v1/analytics/events', { campaign_id: '12', type: 'bounce', limit: '25' }],
    ]);
  });

  it('polls the progress only while the campaign is sending', async () => {
    expect(progressPollInterval(progress({ status: 'sending' }))).toBe(PROGRESS_POLL_MS);
    for (const status of ['paused', 'sent', 'cancelled', 'failed', 'draft'] as const) {
      expect(progressPollInterval(progress({ status }))).toBe(false);
    }
    expect(progressPollInterval(undefined)).toBe(false);
    // The hook asks once and keeps that answer for the page.
    const { requests } = fakeApi({ 'GET /api/v1/campaigns/12/stats': json(200, progress({ status: 'sent' })) });
    const { result } = renderHook(() => useCampaignProgress(12), { wrapper: wrapper() });
    await waitFor(() => expect(result.current.data?.status).toBe('sent'));
    expect(requests.map((request) => request.path)).toEqual(['/api/v1/campaigns/12/stats']);
  });

  it('saves changes to one campaign one after the other, in order', async () => {
    // A cookie session's CSRF token, so that the only requests are the saves.
    document.cookie = 'csrf_token=token-1; path=/';
    const answers: ((value: Response) => void)[] = [];
    const bodies: unknown[] = [];
    const { fetchMock } = fakeApi({});
    fetchMock.mockImplementation(
      (_input, init) =>
        new Promise<Response>((resolve) => {
          answers.push(resolve);
          bodies.push(JSON.parse(String(init?.body)));
        }),
    );
    const { result } = renderHook(() => useUpdateCampaign(12), { wrapper: wrapper() });
    let first!: Promise<unknown>;
    let second!: Promise<unknown>;
    act(() => {
      first = result.current.mutateAsync({ group_ids: [1] });
      second = result.current.mutateAsync({ group_ids: [1, 2] });
    });
    await waitFor(() => expect(bodies).toHaveLength(1));
    // The second waits for the first answer.
    await act(async () => {
      await Promise.resolve();
    });
    expect(bodies).toHaveLength(1);
    answers[0]!(new Response(JSON.stringify({ id: 12 }), { status: 200 }));
    await first;
    await waitFor(() => expect(bodies).toHaveLength(2));
    answers[1]!(new Response(JSON.stringify({ id: 12 }), { status: 200 }));
    await second;
    expect(bodies).toEqual([{ group_ids: [1] }, { group_ids: [1, 2] }]);
  });
});
