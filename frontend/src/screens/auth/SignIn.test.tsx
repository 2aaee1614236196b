import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { errorBody, fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';
import { EMPTY_INBOX, EMPTY_PAGE, ORG, authState } from '../../test/session.ts';

const SIGNED_OUT = json(401, errorBody('unauthorized', 'Sign in first.'));
const NO_SSO = json(200, { enabled: false, issuer: null, start_url: null });

function signedInRoutes() {
  return {
    'GET /api/v1/organization': json(200, ORG),
    'GET /api/v1/members': json(200, EMPTY_PAGE),
    'GET /api/v1/invitations': json(200, EMPTY_PAGE),
    'GET /api/v1/notifications': json(200, EMPTY_INBOX),
  };
}

describe('signing in', () => {
  it('sends a visitor to sign in, keeping where they were going; an API key stays possible', async () => {
    fakeApi({ 'GET /api/v1/auth/me': SIGNED_OUT, 'GET /api/v1/auth/oidc': NO_SSO });
    const { location } = renderApp('/settings/organization');
    expect(await screen.findByRole('heading', { name: 'Sign in to EngageX' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in?next=%2Fsettings%2Forganization');
    expect(screen.getByRole('link', { name: 'Use an API key' }).getAttribute('href')).toBe(
      '/connect?next=%2Fsettings%2Forganization',
    );
    expect(screen.queryByText('Continue with single sign-on')).toBeNull();
  });

  it('signs in with the password and a TOTP code, then opens where the person was going', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': () => (signedIn ? json(200, authState('owner')) : SIGNED_OUT),
      'GET /api/v1/auth/oidc': NO_SSO,
      'POST /api/v1/auth/sign-in': json(200, { mfa_required: true, user: null, organization: null, csrf_token: null }),
      'POST /api/v1/auth/sign-in/mfa': (request) => {
        if ((request.body as { code: string }).code !== '123456') {
          return json(401, errorBody('invalid_code', 'the code is not valid'));
        }
        signedIn = true;
        return json(200, authState('owner'));
      },
      ...signedInRoutes(),
    });
    const { location } = renderApp('/sign-in?next=%2Fteam');

    await user.type(await screen.findByLabelText('Email'), 'maya@acme.example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Two-step verification' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in/mfa?next=%2Fteam');
    const code = screen.getByLabelText('Authentication code');
    // A wrong code: said next to the field, the person stays.
    await user.type(code, '654321');
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(/That code is not valid/)).toBeTruthy();

    await user.clear(code);
    await user.type(code, '123 456'); // six digits submit by themselves
    expect(await screen.findByRole('heading', { name: 'Team' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/team');
    expect(screen.getByTestId('org-name').textContent).toBe('Acme Outdoor Co.');

    const signIn = requests.find((request) => request.path === '/api/v1/auth/sign-in')!;
    expect(signIn.body).toEqual({ email: 'maya@acme.example.com', password: 'correct horse battery' });
    expect(requests.filter((request) => request.path === '/api/v1/auth/sign-in/mfa').map((r) => r.body)).toEqual([
      { code: '654321' },
      { code: '123456' },
    ]);
  });

  it('says when the email or password is wrong, without leaving the page', async () => {
    const user = userEvent.setup();
    fakeApi({
      'GET /api/v1/auth/me': SIGNED_OUT,
      'GET /api/v1/auth/oidc': NO_SSO,
      'POST /api/v1/auth/sign-in': json(401, errorBody('invalid_credentials', 'the email or the password is wrong')),
    });
    const { location } = renderApp('/sign-in');
    await user.click(await screen.findByRole('button', { name: 'Sign in' }));
    // Nothing typed: said before asking the server.
    expect(screen.getByText('Enter your email address.')).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByLabelText('Email'));

    await user.type(screen.getByLabelText('Email'), 'maya@acme.example.com');
    await user.type(screen.getByLabelText('Password'), 'not the password');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Those details did not work')).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in');
  });

  it('offers single sign-on when the server has it, and explains its failures', async () => {
    fakeApi({
      'GET /api/v1/auth/me': SIGNED_OUT,
      'GET /api/v1/auth/oidc': json(200, {
        enabled: true,
        issuer: 'https://login.example.com/realms/acme',
        start_url: '/api/v1/auth/oidc/start',
      }),
    });
    renderApp('/sign-in?next=%2Fbilling&error=sso_email_not_verified');
    const sso = await screen.findByRole('link', { name: 'Continue with single sign-on' });
    expect(sso.getAttribute('href')).toBe('/api/v1/auth/oidc/start?next=%2Fbilling');
    expect(screen.getByText('Through login.example.com')).toBeTruthy();
    expect(screen.getByText(/has not verified your email address/)).toBeTruthy();
  });

  it('goes straight into the app when the person is already signed in', async () => {
    fakeApi({ 'GET /api/v1/auth/me': json(200, authState('owner')), 'GET /api/v1/auth/oidc': NO_SSO, ...signedInRoutes() });
    const { location } = renderApp('/sign-in?next=%2Fteam');
    expect(await screen.findByRole('heading', { name: 'Team' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/team');
  });

  it('signs out: the server ends the session and the person lands on sign in', async () => {
    const user = userEvent.setup();
    let signedIn = true;
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': () => (signedIn ? json(200, authState('owner')) : SIGNED_OUT),
      'GET /api/v1/auth/oidc': NO_SSO,
      'POST /api/v1/auth/sign-out': () => {
        signedIn = false;
        return json(204);
      },
      ...signedInRoutes(),
    });
    document.cookie = 'csrf_token=csrf-1; path=/';
    const { location } = renderApp('/team');
    await user.click(await screen.findByRole('button', { name: 'Account: Maya Lin' }));
    const menu = screen.getByRole('menu');
    expect(within(menu).getAllByRole('menuitem').map((item) => item.textContent)).toEqual([
      'Security',
      'Notification settings',
      'Sign out',
    ]);
    await user.click(within(menu).getByRole('menuitem', { name: 'Sign out' }));
    expect(await screen.findByText('You are signed out.')).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in?reason=signed-out');
    const signOut = requests.find((request) => request.path === '/api/v1/auth/sign-out')!;
    expect(signOut.headers['X-CSRF-Token']).toBe('csrf-1');
  });

  it('leads a session that ends while working back to sign in, saying why', async () => {
    const user = userEvent.setup();
    let expired = false;
    fakeApi({
      'GET /api/v1/auth/me': () => (expired ? SIGNED_OUT : json(200, authState('owner'))),
      'GET /api/v1/auth/oidc': NO_SSO,
      ...signedInRoutes(),
      'GET /api/v1/api-keys': () => (expired ? json(401, errorBody('unauthorized', 'Sign in first.')) : json(200, EMPTY_PAGE)),
    });
    const { location } = renderApp('/team');
    await screen.findByRole('heading', { name: 'Team' });
    expired = true;
    await user.click(screen.getByRole('link', { name: 'Settings' }));
    await user.click(await screen.findByRole('link', { name: 'API keys' }));
    expect(await screen.findByText(/Your session has ended/)).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/sign-in?next=%2Fsettings%2Fapi-keys&reason=expired');
  });
});
