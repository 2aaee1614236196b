import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { CampaignStats } from '../../../api/analytics.ts';
import type { TimelinePoint } from '../../../api/campaigns.ts';
import { fakeApi, json, type Recorded } from '../../../test/http.ts';
import { campaign } from '../fixtures.ts';
import { renderCampaigns } from '../testing.tsx';
import { eventDetail } from './ActivityTables.tsx';
import { chartRows } from './timeline.ts';

const SENT = campaign({
  status: 'sent',
  started_at: '2026-03-03T09:00:00+00:00',
  finished_at: '2026-03-03T09:05:00+00:00',
  counts: { recipients: 1520, sent: 1500, failed: 20, skipped: 0, cancelled: 0, queued: 0 },
});

const STATS: CampaignStats = {
  campaign_id: 12,
  name: 'Spring sale',
  status: 'sent',
  recipients: 1520,
  failed: 20,
  sent: 1500,
  delivered: 1480,
  deferred: 3,
  dropped: 0,
  bounces: 20,
  soft_bounces: 4,
  opens: 700,
  unique_opens: 555,
  machine_opens: 300,
  clicks: 160,
  unique_clicks: 120,
  machine_clicks: 7,
  complaints: 1,
  unsubscribes: 9,
  rates: {
    delivered_base: 'delivered',
    open_rate: 0.375,
    click_rate: 0.0811,
    click_to_open_rate: 0.2162,
    bounce_rate: 0.0133,
    complaint_rate: 0.0007,
    unsubscribe_rate: 0.0061,
    machine_open_share: 0.3,
  },
  last_event_at: '2026-03-04T10:00:00+00:00',
};

function point(hour: string, opens: number, clicks: number): TimelinePoint {
  return { hour, sent: 0, delivered: 0, opens, unique_opens: opens, machine_opens: 0, clicks, unique_clicks: clicks, machine_clicks: 0, bounces: 0, complaints: 0, unsubscribes: 0 };
}

const query = (request: Recorded) => new URL(request.url, 'http://x').searchParams;

function reportApi() {
  return fakeApi({
    'GET /api/v1/campaigns/12': json(200, SENT),
    'GET /api/v1/analytics/campaigns/12': json(200, STATS),
    'GET /api/v1/analytics/campaigns/12/timeline': json(200, {
      campaign_id: 12,
      start: '2026-03-03T09:00:00+00:00',
      end: '2026-03-03T11:00:00+00:00',
      points: [point('2026-03-03T09:00:00+00:00', 400, 90), point('2026-03-03T10:00:00+00:00', 250, 60), point('2026-03-03T11:00:00+00:00', 50, 10)],
    }),
    'GET /api/v1/analytics/campaigns/12/links': json(200, {
      campaign_id: 12,
      total_clicks: 160,
      links: [
        { index: 0, url: 'https://acme.test/sale', clicks: 120, unique_clicks: 100, machine_clicks: 5, share: 0.75 },
        { index: 1, url: 'javascript:alert(1)', clicks: 40, unique_clicks: 30, machine_clicks: 2, share: 0.25 },
      ],
    }),
    'GET /api/v1/campaigns/12/recipients': json(200, {
      items: [{ id: 1, contact_id: 5, email: 'ann@x.test', status: 'sent', is_seed: false, attempts: 1, error: null, sent_at: '2026-03-03T09:01:00+00:00' }],
      next_cursor: null,
    }),
    'GET /api/v1/analytics/events': (request) =>
      json(200, {
        items:
          query(request).get('type') === 'bounce'
            ? [
                {
                  id: 99,
                  type: 'bounce',
                  campaign_id: 12,
                  recipient_id: 2,
                  contact_id: 6,
                  link_index: null,
                  machine: false,
                  client: null,
                  source: 'dsn',
                  occurred_at: '2026-03-03T09:02:00+00:00',
                  email: 'gone@x.test',
                  details: { hard: true, status: '5.1.1', reason: 'mailbox does not exist' },
                },
              ]
            : [],
        next_cursor: null,
      }),
  });
}

describe('Report', () => {
  it('shows the key figures with their rates, machine opens apart', async () => {
    reportApi();
    renderCampaigns('/12/report');
    expect(await screen.findByRole('heading', { level: 1, name: 'Report: Spring sale' })).toBeTruthy();
    const figure = async (id: string) => (await screen.findByTestId(id)).closest('div')!.textContent;
    expect(await figure('figure-delivered')).toBe('Delivered1,480of 1,500 sent');
    expect(await figure('figure-opens')).toBe('Unique opens55538% of delivered');
    expect(await figure('figure-clicks')).toBe('Unique clicks1208.1% of delivered, 22% of openers');
    expect(await figure('figure-bounces')).toBe('Bounces201.3% of sent, plus 4 soft');
    expect(await figure('figure-complaints')).toBe('Complaints10.07% of delivered');
    expect(await figure('figure-unsubscribes')).toBe('Unsubscribes90.61% of delivered');
    expect(screen.getByTestId('machine-opens').textContent).toBe('300');
    expect(screen.getByText('30% of all opens')).toBeTruthy();
    expect(screen.getByText(/Apple Mail Privacy Protection/)).toBeTruthy();
  });

  it('charts opens and clicks over time, with the numbers in a table', async () => {
    reportApi();
    renderCampaigns('/12/report');
    expect(await screen.findByRole('img', { name: 'Opens and clicks over time' })).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Opens and clicks over time' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['400', '90']);
  });

  it('lists the links by clicks with their share, linking only web addresses', async () => {
    reportApi();
    renderCampaigns('/12/report');
    const table = await screen.findByRole('table', { name: 'Links' });
    const link = await within(table).findByRole('link', { name: 'https://acme.test/sale' });
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['https://acme.test/sale', '120', '100', '75%'],
      ['javascript:alert(1)', '40', '30', '25%'],
    ]);
    expect(within(rows[1]!).queryByRole('link')).toBeNull();
    expect(screen.getByText('160 clicks by people in all.')).toBeTruthy();
  });

  it('lists recipients, and bounces with who and why', async () => {
    const user = userEvent.setup();
    reportApi();
    renderCampaigns('/12/report');
    expect(await screen.findByRole('link', { name: 'ann@x.test' })).toBeTruthy();
    const tabs = screen.getByRole('tablist', { name: 'Recipients and responses' });
    await user.click(within(tabs).getByRole('tab', { name: 'Bounces' }));
    const panel = screen.getByRole('tabpanel', { name: 'Bounces' });
    const contact = await within(panel).findByRole('link', { name: 'gone@x.test' });
    expect(contact.getAttribute('href')).toBe('/contacts/6');
    expect(within(panel).getByText('Hard bounce: mailbox does not exist')).toBeTruthy();

    // Arrow keys move between the tabs.
    await user.keyboard('{ArrowRight}');
    expect(document.activeElement).toBe(within(tabs).getByRole('tab', { name: 'Complaints' }));
    expect(await screen.findByText('No complaints')).toBeTruthy();
  });

  it('has no report before sending starts', async () => {
    fakeApi({ 'GET /api/v1/campaigns/12': json(200, campaign()) });
    renderCampaigns('/12/report');
    expect(await screen.findByText('No report yet')).toBeTruthy();
  });

  it('words events and groups long timelines by day', () => {
    const base = { id: 1, type: 'unsubscribe' as const, campaign_id: 12, recipient_id: 1, contact_id: 1, link_index: null, machine: false, client: null, occurred_at: '', email: null };
    expect(eventDetail({ ...base, source: 'page', details: { scope: 'lists' } })).toBe('From this list only, on the unsubscribe page');
    expect(eventDetail({ ...base, type: 'bounce', source: 'sendgrid', details: { hard: false } })).toBe('Soft bounce (temporary)');
    const hours = Array.from({ length: 96 }, (_, index) => point(new Date(Date.UTC(2026, 2, 3, index)).toISOString(), 1, index % 2));
    const { granularity, rows } = chartRows(hours);
    expect(granularity).toBe('day');
    expect(rows).toEqual([
      { at: '2026-03-03', opens: 24, clicks: 12 },
      { at: '2026-03-04', opens: 24, clicks: 12 },
      { at: '2026-03-05', opens: 24, clicks: 12 },
      { at: '2026-03-06', opens: 24, clicks: 12 },
    ]);
    expect(chartRows(hours.slice(0, 72)).granularity).toBe('hour');
  });
});
