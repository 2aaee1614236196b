import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Overview, OverviewDay } from '../../api/analytics.ts';
import type { Campaign } from '../../api/campaigns.ts';
import { campaign as campaignFixture } from '../campaigns/fixtures.ts';
import type { Subscription, Usage } from '../../api/billing.ts';
import type { Domain } from '../../api/domains.ts';
import type { Permission } from '../../auth/permissions.ts';
import { ViewerProvider, type Viewer } from '../../auth/viewer.tsx';
import type { Role } from '../../lib/roles.ts';
import { fakeApi, json } from '../../test/http.ts';
import { orgRef } from '../../test/session.ts';
import { renderScreen } from '../contacts/testing.tsx';
import DashboardScreen from './DashboardScreen.tsx';

function viewer(role: Role, permissions?: Permission[]): Viewer {
  const organization = orgRef(role, permissions ? { permissions } : {});
  return { kind: 'session', role, user: null, organization, organizations: [organization] };
}

const ZERO = { sent: 0, delivered: 0, opens: 0, unique_opens: 0, machine_opens: 0, clicks: 0, unique_clicks: 0, machine_clicks: 0, bounces: 0, complaints: 0, unsubscribes: 0 };
const ZERO_RATES = { delivered_base: 'sent_minus_bounces', open_rate: 0, click_rate: 0, click_to_open_rate: 0, bounce_rate: 0, complaint_rate: 0, unsubscribe_rate: 0, machine_open_share: 0 } as const;

function days(values: Record<string, Partial<OverviewDay>> = {}): OverviewDay[] {
  return Array.from({ length: 30 }, (_, index) => {
    const day = new Date(Date.UTC(2026, 9, 28 + index)).toISOString().slice(0, 10);
    return { ...ZERO, day, ...values[day] };
  });
}

const BUSY: Overview = {
  days: 30,
  start: '2026-10-28T00:00:00+00:00',
  end: '2026-11-27T00:00:00+00:00',
  totals: { ...ZERO, sent: 12000, delivered: 11800, unique_opens: 4130, unique_clicks: 610, bounces: 120, complaints: 18, campaigns: 3 },
  rates: { ...ZERO_RATES, delivered_base: 'delivered', open_rate: 0.35, click_rate: 0.0517, bounce_rate: 0.01, complaint_rate: 0.0015 },
  daily: days({ '2026-11-03': { sent: 8000, unique_opens: 2900, unique_clicks: 410 }, '2026-11-04': { sent: 4000, unique_opens: 1230, unique_clicks: 200 } }),
  campaigns: [],
};

const FRESH: Overview = { ...BUSY, totals: { ...ZERO, campaigns: 0 }, rates: ZERO_RATES, daily: days() };

function campaign(id: number, name: string, overrides: Partial<Campaign> = {}): Campaign {
  return campaignFixture({ id, name, created_at: '2026-11-01T09:00:00+00:00', ...overrides });
}

const SENT = campaign(12, 'November newsletter', {
  status: 'sent',
  started_at: '2026-11-03T09:00:00+00:00',
  finished_at: '2026-11-03T09:40:00+00:00',
  counts: { recipients: 8000, sent: 8000, failed: 0, skipped: 0, cancelled: 0, queued: 0 },
});

const DOMAIN: Pick<Domain, 'id' | 'name' | 'status'> = { id: 4, name: 'news.acme.example', status: 'verified' };

const meter = (used: number, limit: number) => ({ used, limit, remaining: limit - used, percent: Math.floor((used * 100) / limit) });
const USAGE: Usage = {
  plan: 'growth',
  period_start: '2026-11-01T00:00:00+00:00',
  period_end: '2026-12-01T00:00:00+00:00',
  emails: meter(8500, 10000),
  contacts: meter(1200, 5000),
  seats: meter(2, 5),
};
const SUBSCRIPTION = { status: 'active', sending_allowed: true, sending_message: null } as unknown as Subscription;

interface Setup {
  overview?: Overview;
  contacts?: number;
  templates?: number;
  domains?: Pick<Domain, 'id' | 'name' | 'status'>[];
  campaigns?: Campaign[];
  usage?: Usage;
}

function serve({ overview = BUSY, contacts = 5000, templates = 2, domains = [DOMAIN], campaigns = [SENT], usage = USAGE }: Setup = {}) {
  return fakeApi({
    'GET /api/v1/analytics/overview': json(200, overview),
    'GET /api/v1/contacts/count': json(200, { count: contacts }),
    'GET /api/v1/templates': json(200, { items: Array.from({ length: templates }, (_, id) => ({ id, name: `T${id}` })), next_cursor: null }),
    'GET /api/v1/domains': json(200, { items: domains, next_cursor: null }),
    'GET /api/v1/campaigns': json(200, { items: campaigns, next_cursor: null }),
    'GET /api/v1/analytics/campaigns/12': json(200, { ...ZERO, campaign_id: 12, sent: 8000, rates: { ...ZERO_RATES, open_rate: 0.412, click_rate: 0.063 } }),
    'GET /api/v1/billing/usage': json(200, usage),
    'GET /api/v1/billing/subscription': json(200, SUBSCRIPTION),
  });
}

function renderDashboard(who: Viewer = viewer('owner')) {
  return renderScreen(
    <ViewerProvider viewer={who}>
      <DashboardScreen />
    </ViewerProvider>,
    { base: '/dashboard' },
  );
}

const figure = (id: string) => screen.getByTestId(`figure-${id}`);

describe('Dashboard', () => {
  it('shows the figures of the last 30 days, the chart with its table and the newest campaigns', async () => {
    serve();
    renderDashboard();
    await waitFor(() => expect(figure('sent').textContent).toContain('12,000'));
    expect(figure('sent').textContent).toContain('In 3 campaigns');
    expect(figure('delivery').textContent).toContain('98.3%');
    expect(figure('opens').textContent).toContain('35%');
    expect(figure('clicks').textContent).toContain('5.2%');
    expect(figure('bounces').textContent).toContain('1%');
    // 0.15 % is above Gmail's 0.1 % guideline: flagged, and an alert says why.
    expect(figure('complaints').textContent).toContain('0.15%');
    expect(figure('complaints').dataset['level']).toBe('warning');

    const table = screen.getByRole('table', { name: 'Sends, opens and clicks, last 30 days' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(31);
    const nov3 = rows.find((row) => within(row).queryByRole('rowheader')?.textContent === 'Nov 3')!;
    expect(within(nov3).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['8,000', '2,900', '410']);

    const recent = within(screen.getByRole('table', { name: 'Recent campaigns' }));
    const link = recent.getByRole('link', { name: 'November newsletter' });
    expect(link.getAttribute('href')).toBe('/campaigns/12');
    expect(recent.getAllByText('Sent').length).toBeGreaterThan(0);
    expect(await recent.findByText('41.2%')).toBeTruthy();
    expect(recent.getByText('6.3%')).toBeTruthy();
    // An organization that has sent is past the first steps.
    expect(screen.queryByRole('region', { name: 'Get started' })).toBeNull();
  });

  it('raises alerts for the quota, the complaint rate, billing and an unverified domain', async () => {
    serve({
      usage: { ...USAGE, emails: meter(10000, 10000) },
      domains: [{ id: 5, name: 'mail.acme.example', status: 'failed' }],
    });
    renderDashboard();
    const alerts = await screen.findByRole('region', { name: 'Needs attention' });
    await waitFor(() => expect(within(alerts).getByText('Email quota reached')).toBeTruthy());
    expect(within(alerts).getByText(/Complaint rate 0\.15%/)).toBeTruthy();
    expect(within(alerts).getByText('No verified sending domain')).toBeTruthy();
    expect(within(alerts).getByRole('link', { name: 'Set up mail.acme.example' }).getAttribute('href')).toBe('/domains/5');
    // The most urgent first.
    expect(within(alerts).getAllByRole('alert')[0]!.textContent).toContain('Email quota reached');
  });

  it('guides a new organization through its first steps, without scary zeros', async () => {
    serve({ overview: FRESH, contacts: 0, templates: 1, domains: [{ id: 6, name: 'acme.example', status: 'pending' }], campaigns: [] });
    renderDashboard();
    const checklist = await screen.findByRole('region', { name: 'Get started' });
    expect(within(checklist).getByText('1 of 4 done')).toBeTruthy();
    expect(screen.getByTestId('step-contacts').dataset['state']).toBe('todo');
    expect(screen.getByTestId('step-template').dataset['state']).toBe('done');
    expect(screen.getByTestId('step-domain').dataset['state']).toBe('todo');
    expect(screen.getByTestId('step-campaign').dataset['state']).toBe('todo');
    expect(within(checklist).getByRole('link', { name: 'Import contacts' }).getAttribute('href')).toBe('/contacts/import');
    expect(within(checklist).getByRole('link', { name: 'Finish acme.example' }).getAttribute('href')).toBe('/domains/6');
    expect(within(checklist).getByRole('link', { name: 'Create a campaign' }).getAttribute('href')).toBe('/campaigns/new');

    // Rates wait for a first send; the chart invites one instead of drawing a flat line.
    await waitFor(() => expect(figure('opens').textContent).toContain('—'));
    expect(figure('opens').textContent).not.toContain('0%');
    expect(screen.getByText('No emails sent in the last 30 days')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Sends, opens and clicks, last 30 days' })).toBeNull();
    // The checklist covers the domain: no alert repeats it.
    expect(screen.queryByText('No verified sending domain')).toBeNull();
  });

  it('offers each role only what it can use', async () => {
    // A role without analytics:read, billing or campaigns:write (as the server lists it).
    const reader = viewer('analyst', ['contacts:read', 'templates:read', 'campaigns:read', 'domains:read']);
    const { requests } = serve({ overview: FRESH, contacts: 0, templates: 0, domains: [], campaigns: [] });
    renderDashboard(reader);
    const checklist = await screen.findByRole('region', { name: 'Get started' });
    expect(within(checklist).queryByRole('link')).toBeNull();
    expect(within(checklist).getAllByText(/Ask an? .* to do this step\./)).toHaveLength(4);
    expect(screen.queryByRole('link', { name: /Create (a )?campaign/ })).toBeNull();
    expect(screen.queryByRole('region', { name: 'Last 30 days' })).toBeNull();
    expect(screen.getByText('No campaigns yet')).toBeTruthy();
    expect(requests.some((request) => request.path.startsWith('/api/v1/analytics'))).toBe(false);
    expect(requests.some((request) => request.path.startsWith('/api/v1/billing'))).toBe(false);
  });
});
