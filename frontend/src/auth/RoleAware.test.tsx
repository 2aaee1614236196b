import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Role } from '../lib/roles.ts';
import { errorBody, fakeApi, json } from '../test/http.ts';
import { renderApp } from '../test/render.tsx';
import { EMPTY_INBOX, EMPTY_PAGE, ORG, authState, orgRef } from '../test/session.ts';

function signedInAs(role: Role) {
  return fakeApi({
    'GET /api/v1/auth/me': json(200, authState(role)),
    'GET /api/v1/organization': json(200, ORG),
    'GET /api/v1/members': json(200, {
      items: [
        { id: 1, role: 'owner', user: { id: 7, email: 'maya@acme.example.com', name: 'Maya Lin' }, created_at: '2026-01-02T10:00:00' },
        { id: 2, role: 'editor', user: { id: 8, email: 'sam@acme.example.com', name: null }, created_at: '2026-01-03T10:00:00' },
      ],
      next_cursor: null,
    }),
    'GET /api/v1/invitations': json(200, EMPTY_PAGE),
    'GET /api/v1/notifications': json(200, EMPTY_INBOX),
    'GET /api/v1/domains': json(200, EMPTY_PAGE),
  });
}

describe('role-aware navigation and actions', () => {
  it('offers an analyst no management: no invite, no API keys, no billing', async () => {
    signedInAs('analyst');
    renderApp('/team');
    expect(await screen.findByText('sam@acme.example.com')).toBeTruthy();
    expect(screen.getByTestId('current-role').textContent).toBe('Analyst');
    expect(screen.queryByRole('button', { name: 'Invite member' })).toBeNull();
    expect(screen.queryByRole('button', { name: /Actions for sam/ })).toBeNull();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).queryByRole('link', { name: 'Billing' })).toBeNull();
    expect(within(nav).getByRole('link', { name: 'Team' })).toBeTruthy();

    await userEvent.setup().click(within(nav).getByRole('link', { name: 'Settings' }));
    const sections = await screen.findByRole('navigation', { name: 'Settings' });
    expect(within(sections).getAllByRole('link').map((link) => link.textContent)).toEqual([
      'Organization',
      'Security',
      'Notifications',
    ]);
    // The organization's settings are shown, read-only.
    expect((await screen.findByLabelText('Organization name')).hasAttribute('readonly')).toBe(true);
    expect(screen.queryByRole('button', { name: 'Save changes' })).toBeNull();
  });

  it('offers an owner everything', async () => {
    signedInAs('owner');
    renderApp('/team');
    expect(await screen.findByRole('button', { name: 'Invite member' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Actions for sam@acme.example.com' })).toBeTruthy();
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getByRole('link', { name: 'Billing' })).toBeTruthy();
  });

  it('still shows the server’s refusal when the app offered something', async () => {
    const user = userEvent.setup();
    fakeApi({
      'GET /api/v1/auth/me': json(200, authState('admin')),
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/notifications': json(200, EMPTY_INBOX),
      'GET /api/v1/domains': json(200, EMPTY_PAGE),
      'POST /api/v1/domains': json(403, errorBody('forbidden', "this action needs the 'domains:manage' permission", { permission: 'domains:manage' })),
    });
    renderApp('/domains');
    await user.click(await screen.findByRole('button', { name: 'Add domain' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('Domain'), 'news.acme.example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    expect(await within(dialog).findByText(/domains:manage/)).toBeTruthy();
  });
});

describe('organization switcher', () => {
  it('switches to another organization of the person and reloads what is shown', async () => {
    const user = userEvent.setup();
    const globex = orgRef('analyst', { id: 2, slug: 'globex', name: 'Globex' });
    let current = 1;
    const state = () => {
      const acme = orgRef('owner');
      return authState(current === 1 ? 'owner' : 'analyst', {
        organization: current === 1 ? acme : globex,
        organizations: [acme, globex],
      });
    };
    const { requests } = fakeApi({
      'GET /api/v1/auth/me': () => json(200, state()),
      'POST /api/v1/auth/switch-org': (request) => {
        current = (request.body as { organization_id: number }).organization_id;
        return json(200, state());
      },
      'GET /api/v1/organization': () => json(200, current === 1 ? ORG : { ...ORG, id: 2, slug: 'globex', name: 'Globex' }),
      'GET /api/v1/members': json(200, EMPTY_PAGE),
      'GET /api/v1/invitations': json(200, EMPTY_PAGE),
      'GET /api/v1/notifications': json(200, EMPTY_INBOX),
    });
    renderApp('/team');
    const switcher = await screen.findByRole('button', { name: /Organization: Acme Outdoor Co\./ });
    await user.click(switcher);
    const menu = screen.getByRole('menu');
    const items = within(menu).getAllByRole('menuitemradio');
    expect(items.map((item) => item.getAttribute('aria-checked'))).toEqual(['true', 'false']);
    expect(document.activeElement).toBe(items[0]);
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(items[1]);
    await user.keyboard('{Enter}');

    await waitFor(() => expect(screen.getByTestId('org-name').textContent).toBe('Globex'));
    expect(screen.getByTestId('current-role').textContent).toBe('Analyst');
    expect(requests.find((request) => request.path === '/api/v1/auth/switch-org')!.body).toEqual({ organization_id: 2 });
    expect(await screen.findByText('Now working in Globex')).toBeTruthy();
    // Billing is an owner's and admin's area: not offered in Globex.
    expect(within(screen.getByRole('navigation', { name: 'Main' })).queryByRole('link', { name: 'Billing' })).toBeNull();
  });
});
