import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, json, type Recorded } from '../../../test/http.ts';
import { campaign } from '../fixtures.ts';
import { renderCampaigns } from '../testing.tsx';
import { statusFromSearch } from './CampaignList.tsx';

const query = (request: Recorded) => new URL(request.url, 'http://x').searchParams;

const SENT = campaign({
  id: 20,
  name: 'February newsletter',
  status: 'sent',
  started_at: '2026-02-10T09:00:00+00:00',
  finished_at: '2026-02-10T09:05:00+00:00',
  counts: { recipients: 1520, sent: 1500, failed: 20, skipped: 0, cancelled: 0, queued: 0 },
});
const DRAFT = campaign({ id: 21, name: 'Spring sale' });

function listApi(items = [DRAFT, SENT]) {
  return fakeApi({
    'GET /api/v1/campaigns': (request) => {
      const status = query(request).get('status');
      return json(200, { items: status ? items.filter((item) => item.status === status) : items, next_cursor: null });
    },
  });
}

describe('CampaignList', () => {
  it('invites a writer to create the first campaign', async () => {
    const user = userEvent.setup();
    listApi([]);
    const { location } = renderCampaigns('');
    expect(await screen.findByText('Send your first campaign')).toBeTruthy();
    const buttons = screen.getAllByRole('link', { name: 'New campaign' });
    // In the header and in the empty state.
    expect(buttons).toHaveLength(2);
    await user.click(buttons[1]!);
    expect(location.history?.at(-1)).toBe('/campaigns/new');
    expect(await screen.findByRole('heading', { name: 'New campaign' })).toBeTruthy();
  });

  it('tells a reader where campaigns will appear, without offering to create one', async () => {
    listApi([]);
    renderCampaigns('', { role: 'analyst' });
    expect(await screen.findByText('Send your first campaign')).toBeTruthy();
    expect(screen.getByText(/Campaigns your team prepares and sends appear here/)).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'New campaign' })).toBeNull();
  });

  it('lists campaigns with their status, progress and date', async () => {
    listApi();
    renderCampaigns('');
    await screen.findByRole('link', { name: 'Spring sale' });
    const table = screen.getByRole('table', { name: 'Campaigns' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole('link', { name: 'Spring sale' }).getAttribute('href')).toBe('/campaigns/21/edit');
    expect(within(rows[0]!).getAllByText('Draft').length).toBeGreaterThan(0);
    expect(within(rows[0]!).getByText('—')).toBeTruthy();
    expect(within(rows[1]!).getByRole('link', { name: 'February newsletter' }).getAttribute('href')).toBe('/campaigns/20');
    expect(within(rows[1]!).getAllByText('Sent').length).toBeGreaterThan(0);
    expect(rows[1]!.textContent).toContain('1,500 of 1,520');
    expect(within(rows[1]!).getByText('20 failed')).toBeTruthy();
    expect(within(rows[1]!).getAllByText(/^Sent Feb 10, 2026/).length).toBeGreaterThan(0);
    expect(screen.getByText('2 campaigns')).toBeTruthy();
  });

  it('offers duplicate and delete to writers only', async () => {
    const user = userEvent.setup();
    listApi();
    renderCampaigns('', { role: 'editor' });
    await user.click(await screen.findByRole('button', { name: 'Actions for February newsletter' }));
    const items = within(screen.getByRole('menu')).getAllByRole('menuitem');
    expect(items.map((item) => item.textContent)).toEqual(['View report', 'Duplicate', 'Delete']);
  });

  it('hides writing actions from an analyst', async () => {
    const user = userEvent.setup();
    listApi();
    renderCampaigns('', { role: 'analyst' });
    await screen.findByRole('link', { name: 'Spring sale' });
    expect(screen.queryByRole('link', { name: 'New campaign' })).toBeNull();
    // A draft has nothing an analyst can do from the list; its page is readable.
    expect(screen.queryByRole('button', { name: 'Actions for Spring sale' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Spring sale' }).getAttribute('href')).toBe('/campaigns/21');
    await user.click(screen.getByRole('button', { name: 'Actions for February newsletter' }));
    expect(within(screen.getByRole('menu')).getAllByRole('menuitem').map((item) => item.textContent)).toEqual(['View report']);
  });

  it('filters by status through the URL', async () => {
    const user = userEvent.setup();
    const { requests } = listApi();
    const { location } = renderCampaigns('');
    await screen.findByRole('link', { name: 'Spring sale' });
    await user.selectOptions(screen.getByLabelText('Status'), 'sent');
    expect(location.history?.at(-1)).toBe('/campaigns?status=sent');
    const table = screen.getByRole('table', { name: 'Sent campaigns' });
    expect(await within(table).findByRole('link', { name: 'February newsletter' })).toBeTruthy();
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    expect(requests.map((request) => query(request).get('status'))).toEqual([null, 'sent']);

    await user.selectOptions(screen.getByLabelText('Status'), 'failed');
    expect(await screen.findByText('No failed campaigns')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Show all campaigns' }));
    await waitFor(() => expect(location.history?.at(-1)).toBe('/campaigns'));
    expect(statusFromSearch('status=nonsense')).toBeNull();
  });

  it('loads the next page on demand', async () => {
    const user = userEvent.setup();
    const { requests } = fakeApi({
      'GET /api/v1/campaigns': (request) =>
        query(request).get('cursor')
          ? json(200, { items: [SENT], next_cursor: null })
          : json(200, { items: [DRAFT], next_cursor: 'WzIxXQ' }),
    });
    renderCampaigns('');
    await user.click(await screen.findByRole('button', { name: 'Load more' }));
    expect(await screen.findByRole('link', { name: 'February newsletter' })).toBeTruthy();
    expect(query(requests.at(-1)!).get('cursor')).toBe('WzIxXQ');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });
});
