import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { getApiKey, setApiKey } from './auth/credentials.ts';
import { SCREENS } from './routes.ts';
import { errorBody, fakeApi, json } from './test/http.ts';
import { renderApp } from './test/render.tsx';

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
const UNAUTHORIZED = json(401, errorBody('unauthorized', 'Authentication is required.'));

function members(count: number, start = 1) {
  return Array.from({ length: count }, (_, index) => ({
    id: start + index,
    role: 'analyst',
    user: { id: start + index, email: `person${start + index}@acme.example.com`, name: null },
    created_at: '2026-01-02T10:00:00',
  }));
}

describe('App', () => {
  it('offers an API key as the second way in, keeping where the visitor was going', async () => {
    const user = userEvent.setup();
    fakeApi({
      'GET /api/v1/organization': UNAUTHORIZED,
      'GET /api/v1/auth/me': UNAUTHORIZED,
      'GET /api/v1/auth/oidc': json(200, { enabled: false, issuer: null, start_url: null }),
    });
    const { location } = renderApp('/settings/organization');
    await user.click(await screen.findByRole('link', { name: 'Use an API key' }));
    expect(await screen.findByRole('heading', { name: 'Connect to your organization' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/connect?next=%2Fsettings%2Forganization');
    expect(screen.getByRole('link', { name: 'Sign in with your email instead' }).getAttribute('href')).toBe(
      '/sign-in?next=%2Fsettings%2Forganization',
    );
  });

  it('checks a key before keeping it, then opens the app with it', async () => {
    const user = userEvent.setup();
    const { requests } = fakeApi({
      'GET /api/v1/organization': (request) =>
        request.headers['Authorization'] === `Bearer ${KEY}` ? json(200, ORG) : UNAUTHORIZED,
      'GET /api/v1/members': json(200, { items: members(2), next_cursor: null }),
    });
    const { location } = renderApp('/connect?next=%2Fteam');

    await user.type(screen.getByLabelText('API key'), 'egx_wrong');
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    const field = screen.getByLabelText('API key');
    await waitFor(() => expect(field.getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText(/This key was not accepted/)).toBeTruthy();
    expect(getApiKey()).toBeNull();

    await user.clear(field);
    await user.type(field, KEY);
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(await screen.findByRole('heading', { name: 'Team' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/team');
    expect(getApiKey()).toBe(KEY);
    expect(screen.getByTestId('org-name').textContent).toBe('Acme Outdoor Co.');
    expect(await screen.findByText('person2@acme.example.com')).toBeTruthy();
    expect(requests.at(-1)!.headers['Authorization']).toBe(`Bearer ${KEY}`);
  });

  it('offers only the screens of SCREENS in the main navigation', async () => {
    setApiKey(KEY);
    fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains': json(200, { items: [], next_cursor: null }),
      'GET /api/v1/members': json(200, { items: [], next_cursor: null }),
    });
    renderApp('/');
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    const links = within(nav).getAllByRole('link');
    expect(links.map((link) => link.textContent)).toEqual(SCREENS.map((item) => item.label));
    // `/` leads to the first screen, which is marked as the current page.
    await waitFor(() => expect(within(nav).getByRole('link', { name: SCREENS[0]!.label }).getAttribute('aria-current')).toBe('page'));
  });

  it('renders the not-found view inside the app shell for unknown routes', async () => {
    setApiKey(KEY);
    fakeApi({ 'GET /api/v1/organization': json(200, ORG) });
    renderApp('/no-such-area/123');
    expect(await screen.findByRole('heading', { name: 'Page not found' })).toBeTruthy();
    expect(screen.getByText('/no-such-area/123')).toBeTruthy();
    expect(screen.getByRole('navigation', { name: 'Main' })).toBeTruthy();
    const home = SCREENS[0]!;
    expect(screen.getByRole('link', { name: `Go to ${home.label}` }).getAttribute('href')).toBe(home.path);
  });

  it('loads the next page of members with the cursor of the previous one', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    const { requests } = fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/members': (request) =>
        request.url.includes('cursor=c1')
          ? json(200, { items: members(1, 26), next_cursor: null })
          : json(200, { items: members(25), next_cursor: 'c1' }),
    });
    renderApp('/team');
    expect(await screen.findByText('25 members shown')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    expect(await screen.findByText('26 members')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(requests.filter((request) => request.path === '/api/v1/members').map((request) => request.url)).toEqual([
      '/api/v1/members?limit=25',
      '/api/v1/members?limit=25&cursor=c1',
    ]);
  });

  it('returns to Connect and forgets the key when the server stops accepting it', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    let revoked = false;
    fakeApi({
      'GET /api/v1/organization': () => (revoked ? UNAUTHORIZED : json(200, ORG)),
      'GET /api/v1/members': json(200, { items: members(1), next_cursor: null }),
      'GET /api/v1/api-keys': () => (revoked ? UNAUTHORIZED : json(200, { items: [], next_cursor: null })),
    });
    const { location } = renderApp('/team');
    await screen.findByText('person1@acme.example.com');
    revoked = true;
    await user.click(screen.getByRole('link', { name: 'Settings' }));
    await user.click(await screen.findByRole('link', { name: 'API keys' }));
    expect(await screen.findByText(/Your API key is no longer accepted/)).toBeTruthy();
    expect(getApiKey()).toBeNull();
    expect(location.history?.at(-1)).toBe('/connect?next=%2Fsettings%2Fapi-keys&reason=expired');
  });

  it('shows field errors from the API next to the field', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'PATCH /api/v1/organization': json(
        422,
        errorBody('validation_error', 'The request contains invalid fields.', {
          fields: { json: { name: ['Length must be between 1 and 200.'] } },
        }),
      ),
    });
    renderApp('/settings/organization');
    const name = await screen.findByLabelText('Organization name');
    await user.clear(name);
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    const description = document.getElementById(name.getAttribute('aria-describedby')!);
    expect(description?.textContent).toBe('Length must be between 1 and 200.');
    expect(document.activeElement).toBe(name);
    // Editing the field clears its error until the next answer from the server.
    await user.type(name, 'A');
    expect(name.getAttribute('aria-invalid')).toBeNull();
  });
});
