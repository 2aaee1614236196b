import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignProgress } from '../../../api/campaigns.ts';
import { fakeApi, json } from '../../../test/http.ts';
import { GROUPS, TEMPLATES, campaign, progress } from '../fixtures.ts';
import { renderCampaigns } from '../testing.tsx';
import { throughput } from './Progress.tsx';

const SENDING = campaign({
  status: 'sending',
  started_at: '2026-03-03T09:00:00+00:00',
  counts: { recipients: 1520, sent: 980, failed: 12, skipped: 8, cancelled: 0, queued: 520 },
});

function detailApi(initial: Campaign, stats: (current: Campaign) => CampaignProgress = (current) => progress({ status: current.status })) {
  let state = initial;
  const command = (status: Campaign['status'], extra: Partial<Campaign> = {}) => () => {
    state = { ...state, status, ...extra };
    return json(200, state);
  };
  return fakeApi({
    'GET /api/v1/campaigns/12': () => json(200, state),
    'GET /api/v1/campaigns/12/stats': () => json(200, stats(state)),
    'GET /api/v1/groups': json(200, GROUPS),
    'GET /api/v1/segments': json(200, { items: [], next_cursor: null }),
    'GET /api/v1/templates': json(200, TEMPLATES),
    'POST /api/v1/campaigns/12/pause': command('paused', { status_code: 'manual', status_reason: 'paused by a person' }),
    'POST /api/v1/campaigns/12/resume': command('sending', { status_code: null, status_reason: null }),
    'POST /api/v1/campaigns/12/cancel': command('cancelled', { finished_at: '2026-03-03T09:10:00+00:00' }),
    'POST /api/v1/campaigns/12/unschedule': command('draft', { scheduled_at: null }),
  });
}

describe('Campaign page', () => {
  it('shows the live progress from /stats', async () => {
    detailApi(SENDING);
    renderCampaigns('/12');
    const bar = await screen.findByRole('progressbar', { name: 'Delivery progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('65');
    expect(bar.getAttribute('aria-valuetext')).toBe('65%: 980 of 1,520 sent');
    expect(screen.getByTestId('progress-percent').textContent).toBe('65%');
    expect(screen.getByTestId('progress-sent').textContent).toBe('980');
    expect(screen.getByTestId('progress-failed').textContent).toBe('12');
    expect(screen.getByTestId('progress-queued').textContent).toBe('520');
    expect(screen.getByTestId('progress-speed').textContent).toBe('43 emails/s');
    expect(screen.getByText('About 12 s left')).toBeTruthy();
    expect(screen.getByText('8 skipped: unsubscribed or suppressed since')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'View report' }).getAttribute('href')).toBe('/campaigns/12/report');
  });

  it('pauses and resumes for someone who may send', async () => {
    const user = userEvent.setup();
    const { requests } = detailApi(SENDING);
    renderCampaigns('/12');
    await user.click(await screen.findByRole('button', { name: 'Pause' }));
    expect(await screen.findByText('Paused by someone on your team')).toBeTruthy();
    expect(screen.getByText('Campaign paused')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Resume' }));
    expect(await screen.findByRole('button', { name: 'Pause' })).toBeTruthy();
    expect(requests.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual([
      '/api/v1/campaigns/12/pause',
      '/api/v1/campaigns/12/resume',
    ]);
  });

  it('cancels only after a confirmation', async () => {
    const user = userEvent.setup();
    const { requests } = detailApi(SENDING);
    renderCampaigns('/12');
    await user.click(await screen.findByRole('button', { name: 'Cancel campaign' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Cancel “Spring sale”?' });
    expect(dialog.textContent).toContain('The 520 recipients not sent yet will never receive it.');
    await user.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(requests.some((request) => request.method === 'POST')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Cancel campaign' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Cancel campaign' }));
    expect(await screen.findByText('Campaign cancelled')).toBeTruthy();
    expect(requests.filter((request) => request.method === 'POST').map((request) => request.path)).toEqual(['/api/v1/campaigns/12/cancel']);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull());
  });

  it('shows an analyst the progress without the controls', async () => {
    detailApi(SENDING);
    renderCampaigns('/12', { role: 'analyst' });
    expect(await screen.findByRole('progressbar', { name: 'Delivery progress' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Pause' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Cancel campaign' })).toBeNull();
    expect(screen.getByRole('link', { name: 'View report' })).toBeTruthy();
  });

  it('explains an automatic pause and where to fix it', async () => {
    const paused = campaign({
      ...SENDING,
      status: 'paused',
      status_code: 'sender_domain_unverified',
      status_reason: 'acme.test is no longer a verified sending domain',
    });
    detailApi(paused);
    renderCampaigns('/12');
    const alert = await screen.findByText('Paused automatically: the sender’s domain is not verified any more');
    const box = alert.closest('[role]') as HTMLElement;
    expect(box.textContent).toContain('Acme.test is no longer a verified sending domain.');
    expect(within(box).getByRole('link', { name: 'Check your domains' }).getAttribute('href')).toBe('/domains');
    expect(screen.getByRole('button', { name: 'Resume' })).toBeTruthy();
  });

  it('says when a scheduled campaign goes out, in its time zone, and unschedules it', async () => {
    const user = userEvent.setup();
    detailApi(campaign({ status: 'scheduled', scheduled_at: '2030-03-05T08:30:00+00:00', timezone: 'Europe/Paris' }));
    renderCampaigns('/12');
    expect(await screen.findByText('Sends Tue, Mar 5, 2030, 9:30 AM (Europe/Paris)')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Unschedule' }));
    expect(await screen.findByText('This campaign is a draft')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Continue editing' }).getAttribute('href')).toBe('/campaigns/12/edit');
  });

  it('words the speed: live while sending, the average once done', () => {
    expect(throughput(progress({ rate_per_second: 0, average_rate_per_second: 0 }))).toBeNull();
    expect(throughput(progress({ rate_per_second: 120.4, eta_seconds: 95 }))).toEqual({ value: '120 emails/s', note: 'About 1 min 35 s left' });
    expect(throughput(progress({ status: 'sent', average_rate_per_second: 33.3, elapsed_seconds: 3700 }))).toEqual({
      value: '33 emails/s',
      note: 'On average, over 1 h 1 min',
    });
  });
});
