import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';
import { EMPTY_INBOX, EMPTY_PAGE, ORG, authState, orgRef } from '../../test/session.ts';

const APP = {
  'GET /api/v1/organization': json(200, ORG),
  'GET /api/v1/members': json(200, EMPTY_PAGE),
  'GET /api/v1/invitations': json(200, EMPTY_PAGE),
  'GET /api/v1/notifications': json(200, EMPTY_INBOX),
};

describe('a person without a usable organization', () => {
  it('sets up two-step verification when the organization requires it, then enters', async () => {
    const user = userEvent.setup();
    let enrolled = false;
    const required = orgRef('editor', { require_mfa: true });
    fakeApi({
      'GET /api/v1/auth/me': () =>
        json(
          200,
          authState('editor', {
            organization: required,
            organizations: [required],
            problem: enrolled
              ? null
              : {
                  code: 'mfa_enrollment_required',
                  message: 'This organization requires multi-factor authentication: enable it first.',
                },
          }),
        ),
      'POST /api/v1/auth/mfa/totp': json(201, { secret: 'JBSWY3DPEHPK3PXP', otpauth_uri: 'otpauth://totp/EngageX:x?secret=JBSWY3DPEHPK3PXP' }),
      'POST /api/v1/auth/mfa/totp/confirm': () => {
        enrolled = true;
        return json(200, { recovery_codes: ['aaaa-bbbb-cccc-dddd'] });
      },
      ...APP,
    });
    renderApp('/team');
    expect(await screen.findByRole('heading', { name: 'Set up two-step verification' })).toBeTruthy();
    expect(screen.getByText(/Acme Outdoor Co\. requires two-step verification/)).toBeTruthy();
    await user.type(await screen.findByLabelText('6-digit code'), '123456');
    await user.click(screen.getByRole('button', { name: 'Turn on' }));
    // The codes stay until saved, although MFA is already on.
    await user.click(await screen.findByLabelText('I have saved my recovery codes somewhere safe'));
    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(await screen.findByRole('heading', { name: 'Team' })).toBeTruthy();
  });

  it('creates a first organization and works in it', async () => {
    const user = userEvent.setup();
    let created = false;
    fakeApi({
      'GET /api/v1/auth/me': () =>
        json(
          200,
          created
            ? authState('owner')
            : authState('owner', {
                organization: null,
                organizations: [],
                problem: {
                  code: 'organization_required',
                  message: 'You are not in any organization: create one or accept an invitation.',
                },
              }),
        ),
      'POST /api/v1/organizations': (request) => {
        created = true;
        return json(201, { ...orgRef('owner'), name: (request.body as { name: string }).name });
      },
      ...APP,
    });
    renderApp('/team');
    expect(await screen.findByRole('heading', { name: 'Create your organization' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Create an organization' }));
    const dialog = screen.getByRole('dialog', { name: 'Create an organization' });
    await user.type(within(dialog).getByLabelText('Organization name'), 'Acme Outdoor Co.');
    await user.click(within(dialog).getByRole('button', { name: 'Create organization' }));
    expect(await screen.findByTestId('org-name')).toBeTruthy();
    expect(screen.getByTestId('org-name').textContent).toBe('Acme Outdoor Co.');
  });
});
