/** Typical API answers of the campaigns area, for tests. */

import type { Campaign, CampaignProgress, CampaignReview } from '../../api/campaigns.ts';

export function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 12,
    name: 'Spring sale',
    status: 'draft',
    status_code: null,
    status_reason: null,
    template_id: 3,
    template_revision_id: null,
    subject: null,
    from_email: 'news@acme.test',
    from_name: 'Acme',
    reply_to: null,
    group_ids: [1],
    segment_ids: [],
    exclude_group_ids: [],
    exclude_segment_ids: [],
    seed_emails: [],
    track_opens: true,
    track_clicks: true,
    scheduled_at: null,
    timezone: null,
    started_at: null,
    finished_at: null,
    created_at: '2026-03-01T10:00:00+00:00',
    updated_at: '2026-03-01T10:00:00+00:00',
    counts: { recipients: 0, sent: 0, failed: 0, skipped: 0, cancelled: 0, queued: 0 },
    ...overrides,
  };
}

export function progress(overrides: Partial<CampaignProgress> = {}): CampaignProgress {
  return {
    campaign_id: 12,
    status: 'sending',
    status_code: null,
    status_reason: null,
    recipients: 1520,
    queued: 520,
    sent: 980,
    failed: 12,
    skipped: 8,
    cancelled: 0,
    percent: 65.8,
    rate_per_second: 42.5,
    average_rate_per_second: 40,
    eta_seconds: 12.2,
    started_at: '2026-03-03T09:00:00+00:00',
    finished_at: null,
    elapsed_seconds: 25,
    batches: { pending: 1, sending: 1, done: 2, cancelled: 0 },
    errors: [],
    audience: null,
    ...overrides,
  };
}

export function review(overrides: Partial<CampaignReview> = {}): CampaignReview {
  return {
    campaign_id: 12,
    ready: true,
    recipients: 1520,
    checks: [
      { name: 'audience', ok: true, message: '1,520 contacts will receive it', code: null },
      { name: 'template', ok: true, message: 'template revision 4 compiles and has an unsubscribe link', code: null },
      { name: 'sender', ok: true, message: 'acme.test may send', code: null },
      { name: 'billing', ok: true, message: 'the subscription is in good standing', code: null },
      { name: 'quota', ok: true, message: '1,520 of the 8,480 emails left this period (renews 2026-04-01)', code: null },
    ],
    quota: { limit: 10000, used: 1520, remaining: 8480 },
    sender: { email: 'news@acme.test', domain: 'acme.test', verified: true, allowed: true },
    ...overrides,
  };
}

export const GROUPS = {
  items: [
    { id: 1, name: 'Newsletter', description: null, contact_count: 1400, created_at: '2026-01-01T00:00:00+00:00' },
    { id: 2, name: 'Customers', description: null, contact_count: 300, created_at: '2026-01-01T00:00:00+00:00' },
  ],
  next_cursor: null,
};

export const TEMPLATES = {
  items: [
    {
      id: 3,
      name: 'Spring news',
      kind: 'marketing',
      subject: 'Hello {{ first_name }}',
      starter: null,
      version: 4,
      created_at: '2026-02-01T10:00:00+00:00',
      updated_at: '2026-02-01T10:00:00+00:00',
    },
  ],
  next_cursor: null,
};
