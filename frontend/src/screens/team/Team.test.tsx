import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../lib/roles.ts';
import { errorBody, fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';
import { EMPTY_INBOX, ORG, authState } from '../../test/session.ts';

function member(id: number, role: Role, email: string, userId = id + 100) {
  return { id, role, user: { id: userId, email, name: null }, created_at: '2026-01-02T10:00:00' };
}

function teamApi(role: Role) {
  let members = [member(1, 'owner', 'maya@acme.example.com', 7), member(2, 'editor', 'sam@acme.example.com')];
  let invitations = [
    {
      id: 40,
      email: 'lee@acme.example.com',
      role: 'analyst',
      status: 'pending',
      invited_by: { id: 7, email: 'maya@acme.example.com', name: 'Maya Lin' },
      expires_at: '2099-01-09T10:00:00+00:00',
      sent_at: '2026-01-02T10:00:00+00:00',
      accepted_at: null,
      created_at: '2026-01-02T10:00:00+00:00',
    },
  ];
  const api = fakeApi({
    'GET /api/v1/auth/me': json(200, authState(role)),
    'GET /api/v1/organization': json(200, ORG),
    'GET /api/v1/notifications': json(200, EMPTY_INBOX),
    'GET /api/v1/members': () => json(200, { items: members, next_cursor: null }),
    'GET /api/v1/invitations': () => json(200, { items: invitations, next_cursor: null }),
    'POST /api/v1/invitations': (request) => {
      const body = request.body as { email: string; role: Role };
      if (body.email === 'sam@acme.example.com') {
        return json(409, errorBody('already_member', 'sam@acme.example.com is already a member of this organization'));
      }
      const created = { ...invitations[0]!, id: 41, email: body.email, role: body.role };
      invitations = [created, ...invitations];
      return json(201, created);
    },
    'DELETE /api/v1/invitations/40': () => {
      invitations = invitations.filter((invitation) => invitation.id !== 40);
      return json(204);
    },
    'PATCH /api/v1/members/1': json(
      409,
      errorBody('last_owner', 'the organization must keep at least one owner; make someone else owner first'),
    ),
    'PATCH /api/v1/members/2': (request) => {
      members = members.map((item) => (item.id === 2 ? { ...item, role: (request.body as { role: Role }).role } : item));
      return json(200, members[1]);
    },
    'DELETE /api/v1/members/2': () => {
      members = members.filter((item) => item.id !== 2);
      return json(204);
    },
  });
  return api;
}

describe('Team', () => {
  it('invites a member with a role; the pending invitation can be withdrawn', async () => {
    const user = userEvent.setup();
    const { requests } = teamApi('admin');
    renderApp('/team');
    await user.click(await screen.findByRole('button', { name: 'Invite member' }));
    const dialog = screen.getByRole('dialog', { name: 'Invite a member' });
    // Only owners grant the owner role.
    const roleSelect = within(dialog).getByLabelText('Role');
    expect(within(roleSelect).getAllByRole('option').map((option) => option.textContent)).toEqual([
      'Admin',
      'Campaign manager',
      'Editor',
      'Analyst',
    ]);
    await user.type(within(dialog).getByLabelText('Email'), 'sam@acme.example.com');
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    const email = within(dialog).getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    expect(within(dialog).getByText(/already a member/)).toBeTruthy();

    await user.clear(email);
    await user.type(email, 'kim@acme.example.com');
    await user.selectOptions(roleSelect, 'campaign_manager');
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    expect(await screen.findByText('Invitation sent')).toBeTruthy();
    expect(requests.filter((request) => request.path === '/api/v1/invitations' && request.method === 'POST').at(-1)!.body).toEqual({
      email: 'kim@acme.example.com',
      role: 'campaign_manager',
    });
    const pending = await screen.findByRole('table', { name: 'Pending invitations' });
    expect(await within(pending).findByText('kim@acme.example.com')).toBeTruthy();

    await user.click(within(pending).getByRole('button', { name: 'Withdraw the invitation to lee@acme.example.com' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Withdraw this invitation?' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.click(within(confirm).getByRole('button', { name: 'Withdraw' }));
    await waitFor(() => expect(within(pending).queryByText('lee@acme.example.com')).toBeNull());
  });

  it('changes a role and removes a member; the last owner is refused with the server’s reason', async () => {
    const user = userEvent.setup();
    teamApi('owner');
    renderApp('/team');
    const table = await screen.findByRole('table', { name: 'Members of the organization' });

    await user.click(await within(table).findByRole('button', { name: 'Actions for sam@acme.example.com' }));
    await user.click(screen.getByRole('menuitem', { name: 'Change role…' }));
    const change = screen.getByRole('dialog', { name: 'Change the role of sam@acme.example.com' });
    await user.selectOptions(within(change).getByLabelText('Role'), 'campaign_manager');
    await user.click(within(change).getByRole('button', { name: 'Save role' }));
    expect(await screen.findByText('Role changed')).toBeTruthy();
    const sam = within(table).getByRole('row', { name: /sam@acme/ });
    await waitFor(() => expect(within(sam).getAllByText('Campaign manager').length).toBeGreaterThan(0));

    // The only owner stepping down: refused, and said why.
    await user.click(within(table).getByRole('button', { name: 'Actions for maya@acme.example.com' }));
    await user.click(screen.getByRole('menuitem', { name: 'Change role…' }));
    const own = screen.getByRole('dialog', { name: 'Change the role of maya@acme.example.com' });
    await user.selectOptions(within(own).getByLabelText('Role'), 'admin');
    await user.click(within(own).getByRole('button', { name: 'Save role' }));
    expect(await within(own).findByText(/must keep at least one owner/)).toBeTruthy();
    await user.click(within(own).getByRole('button', { name: 'Cancel' }));

    await user.click(within(table).getByRole('button', { name: 'Actions for sam@acme.example.com' }));
    await user.click(screen.getByRole('menuitem', { name: 'Remove from organization…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Remove sam@acme.example.com?' });
    await user.click(within(confirm).getByRole('button', { name: 'Remove' }));
    expect(await screen.findByText('Member removed')).toBeTruthy();
    await waitFor(() => expect(within(table).queryByText('sam@acme.example.com')).toBeNull());
  });
});
