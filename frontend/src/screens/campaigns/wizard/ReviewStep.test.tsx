import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignReview } from '../../../api/campaigns.ts';
import { errorBody, fakeApi, json } from '../../../test/http.ts';
import { GROUPS, TEMPLATES, campaign, progress, review } from '../fixtures.ts';
import { renderCampaigns } from '../testing.tsx';

const UNVERIFIED = review({
  ready: false,
  checks: [
    ...review().checks.filter((check) => check.name !== 'sender'),
    { name: 'sender', ok: false, message: 'news@acme.test is not on a verified sending domain', code: 'sender_domain_unverified' },
  ],
  sender: { email: 'news@acme.test', domain: 'acme.test', verified: false, allowed: false },
});

function reviewApi(answer: CampaignReview = review(), current: Campaign = campaign()) {
  let state = current;
  return fakeApi({
    'GET /api/v1/campaigns/12': () => json(200, state),
    'GET /api/v1/campaigns/12/review': json(200, answer),
    'GET /api/v1/campaigns/12/stats': () => json(200, progress({ status: state.status })),
    'GET /api/v1/groups': json(200, GROUPS),
    'GET /api/v1/segments': json(200, { items: [], next_cursor: null }),
    'GET /api/v1/templates': json(200, TEMPLATES),
    'POST /api/v1/campaigns/12/send': () => {
      state = { ...state, status: 'sending', started_at: '2026-03-03T09:00:00+00:00', counts: { ...state.counts, recipients: 1520 } };
      return json(202, state);
    },
    'POST /api/v1/campaigns/12/schedule': (request) => {
      const body = request.body as { scheduled_at: string; timezone: string };
      state = { ...state, status: 'scheduled', scheduled_at: body.scheduled_at, timezone: body.timezone };
      return json(200, state);
    },
    'POST /api/v1/campaigns/12/test': (request) =>
      json(202, { recipients: (request.body as { emails: string[] }).emails, subject: '[Test] Hello Jane', revision_id: 4 }),
  });
}

describe('Review step', () => {
  it('shows each check, green or red with its message, and what to do about the red ones', async () => {
    reviewApi(UNVERIFIED);
    renderCampaigns('/12/edit/review');
    expect(await screen.findByRole('heading', { level: 2, name: 'Review' })).toBeTruthy();
    expect(await screen.findByText('1 thing to fix before sending')).toBeTruthy();

    const checks = within(screen.getByRole('list', { name: 'Checks' })).getAllByRole('listitem');
    expect(checks.map((item) => [item.dataset['check'], item.dataset['ok']])).toEqual([
      ['audience', 'true'],
      ['template', 'true'],
      ['billing', 'true'],
      ['quota', 'true'],
      ['sender', 'false'],
    ]);
    const sender = checks[4]!;
    expect(sender.textContent).toContain('Sender: needs attention');
    expect(sender.textContent).toContain('News@acme.test is not on a verified sending domain.');
    expect(within(sender).getByRole('link', { name: 'Verify acme.test under Domains' }).getAttribute('href')).toBe('/domains');
    expect(checks[0]!.textContent).toContain('1,520 contacts will receive it.');

    expect(screen.getByTestId('review-recipients').textContent).toBe('1,520');
    expect(screen.getByRole('meter', { name: 'Emails this period, with this campaign' }).getAttribute('aria-valuetext')).toBe('3,040 of 10,000');
    expect(screen.getByText('Unverified domain')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Send now' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByRole('button', { name: 'Schedule' }).hasAttribute('disabled')).toBe(true);
  });

  it('offers an analyst no send, schedule or test', async () => {
    reviewApi();
    renderCampaigns('/12/edit/review', { role: 'analyst' });
    expect(await screen.findByText('Ready to send')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send now' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Schedule' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Send test' })).toBeNull();
    expect(screen.getByText('Campaign managers, admins and owners send and schedule campaigns.')).toBeTruthy();
  });

  it('lets an editor test the draft but not send it', async () => {
    const user = userEvent.setup();
    const { requests } = reviewApi();
    renderCampaigns('/12/edit/review', { role: 'editor' });
    expect(await screen.findByText('Ready to send')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Send now' })).toBeNull();
    expect(screen.getByText(/A campaign manager, admin or owner can send or schedule it from here/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Send test' }));
    const dialog = screen.getByRole('dialog', { name: 'Send a test' });
    const addresses = within(dialog).getByLabelText('Send to');
    await user.type(addresses, 'maya@acme.test, not-an-address');
    await user.click(within(dialog).getByRole('button', { name: 'Send test' }));
    expect(within(dialog).getByText('“not-an-address” is not an email address.')).toBeTruthy();
    expect(requests.some((request) => request.path.endsWith('/test'))).toBe(false);

    await user.clear(addresses);
    await user.type(addresses, 'maya@acme.test, sam@acme.test');
    await user.click(within(dialog).getByRole('button', { name: 'Send test' }));
    expect(await screen.findByText('Test sent')).toBeTruthy();
    expect(requests.find((request) => request.path === '/api/v1/campaigns/12/test')!.body).toEqual({
      emails: ['maya@acme.test', 'sam@acme.test'],
    });
  });

  it('sends after a confirmation that states the count, then shows the progress', async () => {
    const user = userEvent.setup();
    const { requests } = reviewApi();
    const { location } = renderCampaigns('/12/edit/review');
    await user.click(await screen.findByRole('button', { name: 'Send now' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Send “Spring sale” now?' });
    expect(dialog.textContent).toContain('It goes to 1,520 recipients right away');
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((request) => request.method === 'POST')).toBe(false);

    await user.click(within(dialog).getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(location.history?.at(-1)).toBe('/campaigns/12'));
    expect(requests.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual(['/api/v1/campaigns/12/send']);
    expect(await screen.findByText('Sending started')).toBeTruthy();
    expect(await screen.findByRole('progressbar', { name: 'Delivery progress' })).toBeTruthy();
  });

  it('shows why the server refused to send, and checks again', async () => {
    const user = userEvent.setup();
    const { fetchMock, requests } = reviewApi();
    const original = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (input, init) =>
      String(input).endsWith('/send')
        ? new Response(JSON.stringify(errorBody('quota_exceeded', 'needs 1,520 emails but only 200 are left this period')), { status: 402 })
        : original(input, init),
    );
    renderCampaigns('/12/edit/review');
    await user.click(await screen.findByRole('button', { name: 'Send now' }));
    const dialog = screen.getByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));
    expect(await within(dialog).findByText('Needs 1,520 emails but only 200 are left this period.')).toBeTruthy();
    await waitFor(() => expect(requests.filter((request) => request.path.endsWith('/review'))).toHaveLength(2));
  });

  it('schedules at a date and time in the chosen time zone', async () => {
    const user = userEvent.setup();
    const { requests } = reviewApi();
    const { location } = renderCampaigns('/12/edit/review');
    await user.click(await screen.findByRole('button', { name: 'Schedule' }));
    const dialog = screen.getByRole('dialog', { name: 'Schedule the campaign' });
    fireEvent.change(within(dialog).getByLabelText('Date'), { target: { value: '2030-03-05' } });
    fireEvent.change(within(dialog).getByLabelText('Time'), { target: { value: '09:30' } });
    await user.selectOptions(within(dialog).getByLabelText('Time zone'), 'Europe/Paris');
    expect(within(dialog).getByTestId('schedule-summary').textContent).toMatch(/^Sends Tue, Mar 5, 2030, 9:30 AM \(Europe\/Paris\)/);
    await user.click(within(dialog).getByRole('button', { name: 'Schedule' }));
    await waitFor(() => expect(location.history?.at(-1)).toBe('/campaigns/12'));
    expect(requests.find((request) => request.path.endsWith('/schedule'))!.body).toEqual({
      scheduled_at: '2030-03-05T09:30:00+01:00',
      timezone: 'Europe/Paris',
    });
    expect(await screen.findByRole('button', { name: 'Unschedule' })).toBeTruthy();
  });

  it('refuses a time in the past before asking the server', async () => {
    const user = userEvent.setup();
    const { requests } = reviewApi();
    renderCampaigns('/12/edit/review');
    await user.click(await screen.findByRole('button', { name: 'Schedule' }));
    const dialog = screen.getByRole('dialog', { name: 'Schedule the campaign' });
    fireEvent.change(within(dialog).getByLabelText('Date'), { target: { value: '2020-01-01' } });
    await user.click(within(dialog).getByRole('button', { name: 'Schedule' }));
    expect(within(dialog).getByText('Choose a time in the future.')).toBeTruthy();
    expect(requests.some((request) => request.path.endsWith('/schedule'))).toBe(false);
  });
});
