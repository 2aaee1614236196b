import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { errorBody, fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';
import { EMPTY_INBOX, EMPTY_PAGE, ORG, authState } from '../../test/session.ts';

const SIGNED_OUT = json(401, errorBody('unauthorized', 'Sign in first.'));
const NO_SSO = json(200, { enabled: false, issuer: null, start_url: null });
const APP = {
  'GET /api/v1/organization': json(200, ORG),
  'GET /api/v1/members': json(200, EMPTY_PAGE),
  'GET /api/v1/invitations': json(200, EMPTY_PAGE),
  'GET /api/v1/notifications': json(200, EMPTY_INBOX),
};

describe('sign up', () => {
  it('creates the account and the organization, then lands in the app signed in', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': () => (signedIn ? json(200, authState('owner')) : SIGNED_OUT),
      'POST /api/v1/auth/sign-up': (request) => {
        const body = request.body as { password: string };
        if (body.password === 'password12345') {
          return json(422, errorBody('weak_password', 'This password is too common.', { field: 'password' }));
        }
        signedIn = true;
        return json(201, authState('owner'));
      },
      ...APP,
    });
    const { location } = renderApp('/sign-up');
    await user.click(await screen.findByRole('button', { name: 'Create account' }));
    expect(screen.getByText('Enter your work email.')).toBeTruthy();
    expect(screen.getByText('Choose a password.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Work email'));

    await user.type(screen.getByLabelText(/^Your name/), 'Maya Lin');
    await user.type(screen.getByLabelText('Work email'), 'maya@acme.example.com');
    await user.type(screen.getByLabelText('Password'), 'password12345');
    await user.type(screen.getByLabelText('Organization name'), 'Acme Outdoor Co.');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    const password = screen.getByLabelText('Password');
    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('This password is too common.')).toBeTruthy();

    await user.clear(password);
    await user.type(password, 'violet tractor orbit');
    await user.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByTestId('org-name')).toBeTruthy();
    expect(location.history?.at(-1)).not.toMatch(/sign-up/);
    expect(requests.filter((request) => request.path === '/api/v1/auth/sign-up').at(-1)!.body).toEqual({
      email: 'maya@acme.example.com',
      password: 'violet tractor orbit',
      organization_name: 'Acme Outdoor Co.',
      name: 'Maya Lin',
    });
  });
});

describe('accepting an invitation', () => {
  const PREVIEW = {
    email: 'lee@acme.example.com',
    role: 'analyst',
    organization: { name: 'Acme Outdoor Co.', slug: 'acme' },
    expires_at: '2099-01-09T10:00:00+00:00',
    account_exists: false,
    needs_password: true,
  };

  it('lets a new person choose a password and join, signed in', async () => {
    const user = userEvent.setup();
    let joined = false;
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': () => (joined ? json(200, authState('analyst')) : SIGNED_OUT),
      'GET /api/v1/auth/invitation': json(200, PREVIEW),
      'POST /api/v1/auth/invitation/accept': () => {
        joined = true;
        return json(200, { organization_id: 1, member_id: 9, role: 'analyst', signed_in: true, state: authState('analyst') });
      },
      ...APP,
    });
    renderApp('/invitations/accept?token=tok-1');
    expect(await screen.findByRole('heading', { name: 'Join Acme Outdoor Co. on EngageX' })).toBeTruthy();
    expect(screen.getByText('lee@acme.example.com')).toBeTruthy();
    expect(screen.getByText('Analyst')).toBeTruthy();
    await user.type(screen.getByLabelText(/^Your name/), 'Lee Park');
    await user.type(screen.getByLabelText('Choose a password'), 'violet tractor orbit');
    await user.click(screen.getByRole('button', { name: 'Create account and join' }));
    expect(await screen.findByTestId('org-name')).toBeTruthy();
    expect(screen.getByTestId('current-role').textContent).toBe('Analyst');
    expect(requests.find((request) => request.path === '/api/v1/auth/invitation')!.url).toBe(
      '/api/v1/auth/invitation?token=tok-1',
    );
    expect(requests.find((request) => request.path === '/api/v1/auth/invitation/accept')!.body).toEqual({
      token: 'tok-1',
      password: 'violet tractor orbit',
      name: 'Lee Park',
    });
  });

  it('sends someone with an account to sign in, into the organization they joined', async () => {
    const user = userEvent.setup();
    fakeApi({
      'GET /api/v1/auth/me': SIGNED_OUT,
      'GET /api/v1/auth/oidc': NO_SSO,
      'GET /api/v1/auth/invitation': json(200, { ...PREVIEW, account_exists: true, needs_password: false }),
      'POST /api/v1/auth/invitation/accept': json(200, {
        organization_id: 5,
        member_id: 9,
        role: 'analyst',
        signed_in: false,
        state: null,
      }),
    });
    const { location } = renderApp('/invitations/accept?token=tok-2');
    await user.click(await screen.findByRole('button', { name: 'Accept invitation' }));
    expect(await screen.findByText(/You joined the organization/)).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in?reason=joined&email=lee%40acme.example.com&org=5');
    expect((screen.getByLabelText('Email') as HTMLInputElement).value).toBe('lee@acme.example.com');
  });

  it.each([
    ['token_expired', 410, 'This invitation has expired'],
    ['invitation_used', 410, 'This invitation was already accepted'],
    ['invitation_revoked', 410, 'This invitation is no longer valid'],
    ['invalid_token', 422, 'This invitation link is not valid'],
  ])('explains a dead link (%s)', async (code, status, title) => {
    fakeApi({ 'GET /api/v1/auth/invitation': json(status, errorBody(code, 'gone')) });
    renderApp('/invitations/accept?token=old');
    expect(await screen.findByRole('heading', { name: title })).toBeTruthy();
  });
});

describe('password reset', () => {
  it('asks for the link, then sets the new password and sends the person to sign in', async () => {
    const user = userEvent.setup();
    const { requests } = fakeApi({
      'POST /api/v1/auth/password/reset-request': json(202),
      'POST /api/v1/auth/password/reset': json(204),
      'GET /api/v1/auth/me': SIGNED_OUT,
      'GET /api/v1/auth/oidc': NO_SSO,
    });
    const first = renderApp('/forgot-password?email=maya%40acme.example.com');
    expect((await screen.findByLabelText('Email') as HTMLInputElement).value).toBe('maya@acme.example.com');
    await user.click(screen.getByRole('button', { name: 'Email me a reset link' }));
    expect(await screen.findByRole('heading', { name: 'Check your inbox' })).toBeTruthy();
    first.unmount();

    const { location } = renderApp('/reset-password?token=reset-1');
    const fresh = await screen.findByLabelText('New password');
    await user.type(fresh, 'violet tractor orbit');
    await user.type(screen.getByLabelText('Confirm new password'), 'violet tractor orbib');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(screen.getByText('The two passwords are not the same.')).toBeTruthy();
    await user.clear(screen.getByLabelText('Confirm new password'));
    await user.type(screen.getByLabelText('Confirm new password'), 'violet tractor orbit');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText(/Your password was changed/)).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in?reason=password-reset');
    expect(requests.map((request) => [request.path, request.body]).filter(([path]) => String(path).includes('password'))).toEqual([
      ['/api/v1/auth/password/reset-request', { email: 'maya@acme.example.com' }],
      ['/api/v1/auth/password/reset', { token: 'reset-1', new_password: 'violet tractor orbit' }],
    ]);
  });

  it('explains a used link and offers a new one', async () => {
    const user = userEvent.setup();
    fakeApi({ 'POST /api/v1/auth/password/reset': json(410, errorBody('token_used', 'this password reset link was already used')) });
    renderApp('/reset-password?token=old');
    await user.type(await screen.findByLabelText('New password'), 'violet tractor orbit');
    await user.type(screen.getByLabelText('Confirm new password'), 'violet tractor orbit');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByRole('heading', { name: 'This link cannot be used' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Request a new link' }).getAttribute('href')).toBe('/forgot-password');
  });
});

describe('notification preferences', () => {
  it('saves each toggle at once and puts it back if the server refuses', async () => {
    const user = userEvent.setup();
    let refuse = false;
    const items = [
      { type: 'campaign.sent', label: 'A campaign finished sending', in_app: true, email: true },
      { type: 'billing.payment_failed', label: 'A payment failed', in_app: true, email: true },
    ];
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': json(200, authState('owner')),
      'GET /api/v1/notifications': json(200, EMPTY_INBOX),
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/notifications/preferences': json(200, { items }),
      'PUT /api/v1/notifications/preferences': (request) => {
        if (refuse) return json(500, errorBody('internal_error', 'The server failed.'));
        const change = (request.body as { items: Record<string, unknown>[] }).items[0]!;
        return json(200, { items: items.map((item) => (item.type === change['type'] ? { ...item, ...change } : item)) });
      },
    });
    renderApp('/settings/notifications');
    const email = await screen.findByRole('switch', { name: 'A campaign finished sending: by email' });
    expect(email.getAttribute('aria-checked')).toBe('true');
    await user.click(email);
    expect(email.getAttribute('aria-checked')).toBe('false');
    expect(requests.filter((request) => request.method === 'PUT').at(-1)!.body).toEqual({
      items: [{ type: 'campaign.sent', email: false }],
    });
    const table = screen.getByRole('table');
    expect(within(table).getAllByRole('columnheader').map((cell) => cell.textContent)).toEqual([
      'Notification',
      'In the app',
      'By email',
      'Campaigns',
      'Billing',
    ]);

    refuse = true;
    const inApp = screen.getByRole('switch', { name: 'A payment failed: in the app' });
    await user.click(inApp);
    expect(await screen.findByText('The change was not saved')).toBeTruthy();
    await waitFor(() => expect(inApp.getAttribute('aria-checked')).toBe('true'));
  });
});
