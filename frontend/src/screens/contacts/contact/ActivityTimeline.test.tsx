import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { AnalyticsEvent } from '../../../api/analytics.ts';
import { ViewerProvider, type Viewer } from '../../../auth/viewer.tsx';
import { errorBody, fakeApi, json } from '../../../test/http.ts';
import { orgRef } from '../../../test/session.ts';
import { renderScreen } from '../testing.tsx';
import { ActivityTimeline, describeEvent } from './ActivityTimeline.tsx';

function event(id: number, type: AnalyticsEvent['type'], extra: Partial<AnalyticsEvent> = {}): AnalyticsEvent {
  return {
    id,
    type,
    campaign_id: 12,
    recipient_id: 900,
    contact_id: 55,
    link_index: null,
    machine: false,
    client: null,
    source: 'tracking',
    occurred_at: new Date(Date.now() - id * 60_000).toISOString(),
    email: 'ada@example.com',
    details: {},
    ...extra,
  };
}

function renderTimeline(viewer?: Viewer) {
  const ui = <ActivityTimeline contactId={55} />;
  return renderScreen(viewer ? <ViewerProvider viewer={viewer}>{ui}</ViewerProvider> : ui, { path: '/55' });
}

describe('ActivityTimeline', () => {
  it('words each event, names its campaign and pages back in time', async () => {
    const user = userEvent.setup();
    const { requests } = fakeApi({
      'GET /api/v1/analytics/events': (request) =>
        new URL(request.url, 'http://x').searchParams.get('cursor')
          ? json(200, { items: [event(9, 'sent')], next_cursor: null })
          : json(200, {
              items: [
                event(1, 'click', { link_index: 1, details: { url: 'https://acme.example/spring' } }),
                event(2, 'open', { client: 'Gmail image proxy' }),
                event(3, 'open', { machine: true, details: { machine_reason: 'apple_privacy_proxy' } }),
                event(4, 'bounce', { details: { hard: true, status: '5.1.1', reason: 'user unknown' } }),
                event(5, 'spamreport'),
                event(6, 'unsubscribe', { campaign_id: 13 }),
                event(7, 'delivered'),
              ],
              next_cursor: 'Wzdd',
            }),
      'GET /api/v1/campaigns/12': json(200, { id: 12, name: 'Spring sale' }),
      'GET /api/v1/campaigns/13': json(404, errorBody('campaign_not_found', 'campaign not found')),
    });
    renderTimeline();
    const card = await screen.findByRole('region', { name: 'Activity' });
    const items = await within(card).findAllByTestId('activity-event');
    expect(items.map((item) => item.querySelector('.font-medium')?.textContent)).toEqual([
      'Clicked link 2',
      'Opened',
      'Opened by a machine',
      'Bounced: the address does not accept mail',
      'Reported as spam',
      'Unsubscribed',
      'Delivered',
    ]);
    expect(within(items[0]!).getByText('https://acme.example/spring')).toBeTruthy();
    expect(within(items[1]!).getByText('Gmail image proxy')).toBeTruthy();
    expect(within(items[2]!).getByText('Not counted: Apple Mail Privacy Protection')).toBeTruthy();
    expect(within(items[3]!).getByText('5.1.1 user unknown')).toBeTruthy();

    // Campaign names when they can be read, "Campaign #id" otherwise; both link to it.
    await waitFor(() => expect(within(items[0]!).getByRole('link').textContent).toBe('Spring sale'));
    expect(within(items[5]!).getByRole('link', { name: 'Campaign #13' }).getAttribute('href')).toBe('/campaigns/13');
    // Relative time, the exact one in its title.
    const time = items[1]!.querySelector('time')!;
    expect(time.textContent).toBe('2 minutes ago');
    expect(time.getAttribute('title')).toMatch(/\d{4}/);
    expect(requests.filter((request) => request.path === '/api/v1/campaigns/12')).toHaveLength(1);
    expect(requests[0]!.url).toContain('contact_id=55');

    await user.click(within(card).getByRole('button', { name: 'Show older activity' }));
    await waitFor(() => expect(within(card).getAllByTestId('activity-event')).toHaveLength(8));
    expect(within(card).queryByRole('button', { name: 'Show older activity' })).toBeNull();
  });

  it('says when there is nothing yet, and is left out for roles without analytics', async () => {
    const { requests } = fakeApi({ 'GET /api/v1/analytics/events': json(200, { items: [], next_cursor: null }) });
    const { unmount } = renderTimeline();
    expect(await screen.findByText('No activity yet')).toBeTruthy();
    unmount();

    const organization = orgRef('editor', { permissions: ['contacts:read', 'campaigns:read'] });
    renderTimeline({ kind: 'session', role: 'editor', user: null, organization, organizations: [organization] });
    expect(screen.queryByRole('region', { name: 'Activity' })).toBeNull();
    expect(requests).toHaveLength(1);
  });

  it('labels a temporary bounce and a link followed by a scanner', () => {
    expect(describeEvent(event(1, 'bounce', { details: { hard: false } })).title).toBe('Bounced temporarily');
    const scanned = describeEvent(event(1, 'click', { machine: true, link_index: 0, details: { machine_reason: 'scanner' } }));
    expect(scanned.title).toBe('Link 1 followed by a machine');
    expect(scanned.detail).toBe('Not counted: a security scanner');
  });
});
