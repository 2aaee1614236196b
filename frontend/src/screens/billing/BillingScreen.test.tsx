import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Invoice, Plan, Subscription, Usage } from '../../api/billing.ts';
import { setApiKey } from '../../auth/credentials.ts';
import { externalNavigation } from '../../lib/navigation.ts';
import { errorBody, fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';

const KEY = 'egx_0123456789ab_secret';
const ORG = {
  id: 1,
  slug: 'acme',
  name: 'Acme Outdoor Co.',
  default_from_name: null,
  default_from_email: null,
  timezone: 'UTC',
  created_at: '2026-01-02T10:00:00+00:00',
};

function plan(code: string, name: string, price: number, emails: number, extra: Partial<Plan> = {}): Plan {
  return {
    code,
    name,
    price_cents: price,
    currency: 'usd',
    email_quota: emails,
    contact_limit: 500,
    seats: 2,
    features: { sending_domains: 1, api_access: true, sso: false },
    purchasable: price > 0,
    ...extra,
  };
}

const FREE = plan('free', 'Free', 0, 1000);
const STARTER = plan('starter', 'Starter', 1500, 15000);
const GROWTH = plan('growth', 'Growth', 4900, 75000);
const PLANS = { items: [FREE, STARTER, GROWTH], next_cursor: null };

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    plan: FREE,
    status: 'active',
    current_period_start: '2026-03-01T00:00:00+00:00',
    current_period_end: '2026-04-01T00:00:00+00:00',
    cancel_at_period_end: false,
    past_due_since: null,
    grace_ends_at: null,
    sending_allowed: true,
    sending_reason: null,
    sending_message: null,
    billing_account: false,
    managed_by: 'manual',
    ...overrides,
  };
}

const USAGE: Usage = {
  plan: 'free',
  period_start: '2026-03-01T00:00:00+00:00',
  period_end: '2026-04-01T00:00:00+00:00',
  emails: { used: 850, limit: 1000, remaining: 150, percent: 85 },
  contacts: { used: 120, limit: 500, remaining: 380, percent: 24 },
  seats: { used: 2, limit: 2, remaining: 0, percent: 100 },
};

const INVOICE: Invoice = {
  id: 1,
  stripe_invoice_id: 'in_1',
  number: 'ACME-0001',
  status: 'paid',
  currency: 'usd',
  amount_due: 1500,
  amount_paid: 1500,
  hosted_invoice_url: 'https://invoice.stripe.test/i/in_1',
  invoice_pdf: 'https://invoice.stripe.test/i/in_1/pdf',
  period_start: '2026-03-01T00:00:00+00:00',
  period_end: '2026-04-01T00:00:00+00:00',
  issued_at: '2026-03-01T00:00:00+00:00',
  paid_at: '2026-03-01T00:00:00+00:00',
};

function billingApi(routes: Parameters<typeof fakeApi>[0] = {}) {
  setApiKey(KEY);
  return fakeApi({
    'GET /api/v1/organization': json(200, ORG),
    'GET /api/v1/billing/subscription': json(200, subscription()),
    'GET /api/v1/billing/usage': json(200, USAGE),
    'GET /api/v1/billing/plans': json(200, PLANS),
    'GET /api/v1/billing/invoices': json(200, { items: [], next_cursor: null }),
    ...routes,
  });
}

const FORBIDDEN_MANAGE = json(
  403,
  errorBody('forbidden', "this action needs the 'billing:manage' permission", { permission: 'billing:manage' }),
);

describe('Billing', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the plan and meters that turn amber at 80 % and red at the limit', async () => {
    billingApi();
    renderApp('/billing');
    expect(await screen.findByTestId('current-plan')).toHaveProperty('textContent', 'Free');
    const meters = await screen.findAllByRole('meter');
    expect(meters.map((meter) => [meter.getAttribute('aria-valuetext'), meter.dataset['level']])).toEqual([
      ['850 of 1,000 emails, 85%', 'warning'],
      ['120 of 500 contacts, 24%', 'ok'],
      ['2 of 2 seats, 100%', 'critical'],
    ]);
    expect(screen.getByRole('meter', { name: 'Seats' }).getAttribute('aria-valuenow')).toBe('100');
    expect(screen.getByText('Every seat is taken: upgrade to invite more people.')).toBeTruthy();
    expect(screen.getByText('No invoices yet')).toBeTruthy();
    // No billing account yet: nothing to manage in the portal.
    expect(screen.queryByRole('button', { name: 'Manage billing' })).toBeNull();
    const free = screen.getByRole('article', { name: 'Free' });
    expect(within(free).getByText('Current plan')).toBeTruthy();
  });

  it('upgrades through Stripe Checkout: posts the plan, then leaves for the returned URL', async () => {
    const user = userEvent.setup();
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => {});
    const { requests } = billingApi({
      'POST /api/v1/billing/checkout': (request) =>
        json(201, {
          id: 'cs_test_1',
          url: 'https://checkout.stripe.test/c/pay/cs_test_1',
          expires_at: null,
          plan: (request.body as { plan: string }).plan,
          operation_id: (request.body as { operation_id: string }).operation_id,
        }),
    });
    renderApp('/billing');
    const growth = await screen.findByRole('article', { name: 'Growth' });
    expect(within(growth).getByText('$49')).toBeTruthy();
    expect(within(growth).getByText('75,000 emails a month')).toBeTruthy();
    await user.click(within(growth).getByRole('button', { name: 'Upgrade to Growth' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://checkout.stripe.test/c/pay/cs_test_1'));
    const body = requests.find((request) => request.path === '/api/v1/billing/checkout')!.body as Record<string, string>;
    expect(body['plan']).toBe('growth');
    expect(body['operation_id']).toMatch(/^spa-[0-9a-f]{32}$/);
    // Busy until the browser has left.
    expect(within(growth).getByRole('button', { name: 'Upgrade to Growth' }).getAttribute('aria-busy')).toBe('true');
  });

  it('retries a failed checkout with the same operation id', async () => {
    const user = userEvent.setup();
    vi.spyOn(externalNavigation, 'assign').mockImplementation(() => {});
    let calls = 0;
    const { requests } = billingApi({
      'POST /api/v1/billing/checkout': () =>
        ++calls === 1
          ? json(502, errorBody('stripe_error', 'Stripe could not create the checkout session: Fake outage'))
          : json(201, { id: 'cs_2', url: 'https://checkout.stripe.test/c/pay/cs_2', expires_at: null, plan: 'starter', operation_id: 'x' }),
    });
    renderApp('/billing');
    const starter = await screen.findByRole('article', { name: 'Starter' });
    await user.click(within(starter).getByRole('button', { name: 'Upgrade to Starter' }));
    expect(await screen.findByText('Checkout could not be opened')).toBeTruthy();
    expect(screen.getByText(/Stripe could not create the checkout session: Fake outage/)).toBeTruthy();
    await user.click(within(starter).getByRole('button', { name: 'Upgrade to Starter' }));
    await waitFor(() => expect(calls).toBe(2));
    const ids = requests.filter((r) => r.path === '/api/v1/billing/checkout').map((r) => (r.body as Record<string, string>)['operation_id']);
    expect(ids[0]).toBe(ids[1]);
    expect(screen.queryByText('Checkout could not be opened')).toBeNull();
  });

  it('tells a non-owner that only owners manage billing, and stops offering it', async () => {
    const user = userEvent.setup();
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => {});
    billingApi({ 'POST /api/v1/billing/checkout': FORBIDDEN_MANAGE });
    renderApp('/billing');
    const starter = await screen.findByRole('article', { name: 'Starter' });
    await user.click(within(starter).getByRole('button', { name: 'Upgrade to Starter' }));
    expect(await screen.findByText('Only owners can change the plan or payment details')).toBeTruthy();
    // Focus moves to the explanation, which may be far above the button.
    await waitFor(() => expect(document.activeElement?.textContent).toContain('Only owners can change the plan'));
    expect(screen.getByText(/Ask an owner of Acme Outdoor Co\..*billing:manage/)).toBeTruthy();
    expect((within(starter).getByRole('button', { name: 'Upgrade to Starter' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Upgrade to Growth' }) as HTMLButtonElement).disabled).toBe(true);
    expect(assign).not.toHaveBeenCalled();
  });

  it('shows the server’s no-access message to roles that may not read billing', async () => {
    billingApi({
      'GET /api/v1/billing/subscription': json(
        403,
        errorBody('forbidden', "this action needs the 'billing:read' permission", { permission: 'billing:read' }),
      ),
    });
    renderApp('/billing');
    expect(await screen.findByRole('heading', { name: "You don't have access to this" })).toBeTruthy();
    expect(screen.getByText(/billing:read/)).toBeTruthy();
    expect(screen.queryByRole('meter')).toBeNull();
  });

  it('warns about a failed payment with the grace period and offers the portal', async () => {
    const user = userEvent.setup();
    const assign = vi.spyOn(externalNavigation, 'assign').mockImplementation(() => {});
    billingApi({
      'GET /api/v1/billing/subscription': json(
        200,
        subscription({
          plan: STARTER,
          status: 'past_due',
          past_due_since: '2026-03-02T00:00:00+00:00',
          grace_ends_at: '2026-03-09T00:00:00+00:00',
          sending_reason: 'past_due_grace',
          sending_message: 'A payment failed; sending continues until 2026-03-09 while it is retried.',
          billing_account: true,
          managed_by: 'stripe',
        }),
      ),
      'GET /api/v1/billing/invoices': json(200, { items: [INVOICE], next_cursor: null }),
      'POST /api/v1/billing/portal': json(201, { url: 'https://billing.stripe.test/p/session/1' }),
    });
    renderApp('/billing');
    expect(await screen.findByText('Past due')).toBeTruthy();
    const alert = screen.getByText('A payment failed').closest('[role="note"]') as HTMLElement;
    expect(alert.textContent).toContain('Sending continues until Mar 9, 2026 while Stripe retries the payment.');
    // Stripe bills the organization: plans change in the portal, not through a second checkout.
    expect(screen.getByRole('button', { name: 'Upgrade to Growth' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Downgrade to Free' })).toBeTruthy();

    const table = await screen.findByRole('table', { name: 'Invoices' });
    const row = within(table).getAllByRole('row')[1]!;
    expect(row.textContent).toContain('ACME-0001');
    expect(row.textContent).toContain('$15.00');
    const view = within(row).getByRole('link', { name: /View invoice ACME-0001/ });
    expect(view.getAttribute('href')).toBe(INVOICE.hosted_invoice_url);
    expect(view.getAttribute('target')).toBe('_blank');
    expect(within(row).getByRole('link', { name: /PDF of invoice ACME-0001/ }).getAttribute('href')).toBe(INVOICE.invoice_pdf);

    await user.click(within(alert).getByRole('button', { name: 'Update payment method' }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith('https://billing.stripe.test/p/session/1'));
  });

  it('says that sending is paused once the grace period is over', async () => {
    billingApi({
      'GET /api/v1/billing/subscription': json(
        200,
        subscription({
          plan: STARTER,
          status: 'past_due',
          sending_allowed: false,
          sending_reason: 'payment_overdue',
          sending_message: 'Sending is paused: a payment has been overdue since 2026-03-02.',
          billing_account: true,
          managed_by: 'stripe',
        }),
      ),
    });
    renderApp('/billing');
    const alert = (await screen.findByText('Sending is paused')).closest('[role="alert"]') as HTMLElement;
    expect(alert.textContent).toContain('overdue since 2026-03-02');
  });

  it('writes the dates of a paused subscription in the reader’s format when it has them', async () => {
    billingApi({
      'GET /api/v1/billing/subscription': json(
        200,
        subscription({
          plan: STARTER,
          status: 'past_due',
          past_due_since: '2026-03-02T00:00:00+00:00',
          grace_ends_at: '2026-03-09T00:00:00+00:00',
          sending_allowed: false,
          sending_reason: 'payment_overdue',
          sending_message: 'Sending is paused: a payment has been overdue since 2026-03-02.',
          billing_account: true,
          managed_by: 'stripe',
        }),
      ),
    });
    renderApp('/billing');
    const alert = (await screen.findByText('Sending is paused')).closest('[role="alert"]') as HTMLElement;
    expect(alert.textContent).toContain('overdue since Mar 2, 2026 and the grace period ended on Mar 9, 2026');
    expect(within(alert).getByRole('button', { name: 'Update payment method' })).toBeTruthy();
  });

  it('thanks the person back from checkout and waits for Stripe to confirm', async () => {
    let confirmed = false;
    billingApi({
      'GET /api/v1/billing/subscription': () =>
        json(200, confirmed ? subscription({ plan: STARTER, billing_account: true, managed_by: 'stripe' }) : subscription()),
    });
    const { queryClient } = renderApp('/billing?checkout=success&session_id=cs_1');
    expect(await screen.findByText('Thank you: payment received')).toBeTruthy();
    confirmed = true;
    await queryClient.refetchQueries({ queryKey: ['billing', 'subscription'] });
    expect(await screen.findByText('Your plan is active')).toBeTruthy();
    expect(screen.getByTestId('current-plan').textContent).toBe('Starter');
    expect(screen.getByRole('button', { name: 'Manage billing' })).toBeTruthy();
  });

  it('says nothing was charged after a canceled checkout', async () => {
    billingApi();
    renderApp('/billing?checkout=canceled');
    expect(await screen.findByText('Checkout canceled')).toBeTruthy();
    expect(screen.getByText('Nothing was charged and your plan has not changed.')).toBeTruthy();
  });
});
