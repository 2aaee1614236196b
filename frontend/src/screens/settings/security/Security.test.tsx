import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { errorBody, fakeApi, json } from '../../../test/http.ts';
import { renderApp } from '../../../test/render.tsx';
import { EMPTY_INBOX, ORG, authState } from '../../../test/session.ts';
import { groupSecret } from './MfaEnrolment.tsx';
import { qrPath } from './QrCode.tsx';

const CODES = Array.from({ length: 10 }, (_, index) => `abcd-efgh-ijkl-mn${String(index).padStart(2, '0')}`);
const SESSIONS = [
  {
    id: 11,
    method: 'password',
    current_organization_id: 1,
    ip_address: '203.0.113.5',
    user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0',
    created_at: '2026-01-02T10:00:00+00:00',
    last_seen_at: '2026-01-03T10:00:00+00:00',
    expires_at: '2026-02-02T10:00:00+00:00',
    current: true,
  },
  {
    id: 12,
    method: 'password',
    current_organization_id: 1,
    ip_address: '198.51.100.7',
    user_agent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
    created_at: '2026-01-01T10:00:00+00:00',
    last_seen_at: '2026-01-01T12:00:00+00:00',
    expires_at: '2026-01-31T10:00:00+00:00',
    current: false,
  },
];

function securityApi(overrides: Record<string, Parameters<typeof fakeApi>[0][string]> = {}) {
  let mfa = false;
  let sessions = SESSIONS;
  const api = fakeApi({
    'GET /api/v1/auth/me': () => {
      const state = authState('owner');
      return json(200, { ...state, user: { ...state.user!, mfa_enabled: mfa, recovery_codes_left: mfa ? 10 : 0 } });
    },
    'GET /api/v1/organization': json(200, ORG),
    'GET /api/v1/notifications': json(200, EMPTY_INBOX),
    'GET /api/v1/organization/security': json(200, { require_mfa: false }),
    'GET /api/v1/auth/sessions': () => json(200, { items: sessions }),
    'DELETE /api/v1/auth/sessions/12': () => {
      sessions = sessions.filter((session) => session.id !== 12);
      return json(204);
    },
    'POST /api/v1/auth/mfa/totp': json(201, {
      secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
      otpauth_uri: 'otpauth://totp/EngageX:maya%40acme.example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=EngageX',
    }),
    'POST /api/v1/auth/mfa/totp/confirm': (request) => {
      if ((request.body as { code: string }).code !== '123456') {
        return json(422, errorBody('invalid_code', "the code is not valid; check the device's clock"));
      }
      mfa = true;
      return json(200, { recovery_codes: CODES });
    },
    ...overrides,
  });
  return api;
}

describe('Settings › Security', () => {
  it('turns on two-step verification: QR code, a first code, then the recovery codes once', async () => {
    const user = userEvent.setup();
    const { requests } = securityApi();
    renderApp('/settings/security');
    await user.click(await screen.findByRole('button', { name: 'Turn on two-step verification' }));
    const dialog = screen.getByRole('dialog', { name: 'Turn on two-step verification' });
    expect(await within(dialog).findByRole('img', { name: 'QR code to scan with your authenticator app' })).toBeTruthy();
    expect(within(dialog).getByTestId('mfa-secret').textContent).toBe('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP');
    // One secret per enrolment: a second start would replace the one being scanned.
    expect(requests.filter((request) => request.path === '/api/v1/auth/mfa/totp')).toHaveLength(1);

    const code = within(dialog).getByLabelText('6-digit code');
    await user.type(code, '111111');
    await user.click(within(dialog).getByRole('button', { name: 'Turn on' }));
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    await user.clear(code);
    await user.type(code, '123456');
    await user.click(within(dialog).getByRole('button', { name: 'Turn on' }));

    const saved = await screen.findByRole('dialog', { name: 'Save your recovery codes' });
    const list = within(saved).getByRole('list', { name: 'Recovery codes' });
    expect(within(list).getAllByRole('listitem').map((item) => item.textContent)).toEqual(CODES);
    const done = within(saved).getByRole('button', { name: 'Done' });
    expect(done.hasAttribute('disabled')).toBe(true);
    // The codes are shown once: Escape does not dismiss them by accident.
    await user.keyboard('{Escape}');
    expect(screen.getByRole('dialog', { name: 'Save your recovery codes' })).toBeTruthy();
    await user.click(within(saved).getByLabelText('I have saved my recovery codes somewhere safe'));
    await user.click(done);

    expect(await screen.findByText('Two-step verification is on')).toBeTruthy();
    expect(await screen.findByTestId('recovery-codes-left')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Turn off' })).toBeTruthy();
  });

  it('changes the password, with the server’s reasons next to the fields', async () => {
    const user = userEvent.setup();
    const { requests } = securityApi({
      'POST /api/v1/auth/password/change': (request) => {
        const body = request.body as { current_password: string; new_password: string };
        if (body.current_password !== 'old password 1') {
          return json(422, errorBody('wrong_password', 'the current password is wrong'));
        }
        if (body.new_password === 'password1234') {
          return json(422, errorBody('weak_password', 'This password is too common.', { field: 'password' }));
        }
        return json(200, authState('owner'));
      },
    });
    renderApp('/settings/security');
    const current = await screen.findByLabelText('Current password');
    const fresh = screen.getByLabelText('New password');
    const confirm = screen.getByLabelText('Confirm new password');
    const submit = screen.getByRole('button', { name: 'Change password' });

    await user.type(current, 'old password 1');
    await user.type(fresh, 'short');
    await user.click(submit);
    expect(screen.getByText('Use at least 12 characters (5 so far).')).toBeTruthy();
    expect(document.activeElement).toBe(fresh);

    await user.clear(fresh);
    await user.type(fresh, 'password1234');
    await user.type(confirm, 'password1234');
    await user.click(submit);
    expect(await screen.findByText('This password is too common.')).toBeTruthy();

    await user.clear(fresh);
    await user.type(fresh, 'violet tractor orbit');
    await user.clear(confirm);
    await user.type(confirm, 'violet tractor orbit');
    await user.click(submit);
    expect(await screen.findByText('Password changed')).toBeTruthy();
    expect((current as HTMLInputElement).value).toBe('');
    expect(requests.filter((request) => request.path === '/api/v1/auth/password/change').at(-1)!.body).toEqual({
      current_password: 'old password 1',
      new_password: 'violet tractor orbit',
    });
  });

  it('lists the sessions and signs out another one', async () => {
    const user = userEvent.setup();
    securityApi();
    renderApp('/settings/security');
    const list = await screen.findByRole('list', { name: 'Sessions' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((row) => row.querySelector('p')!.textContent)).toEqual(['Firefox on LinuxThis device', 'Safari on iOS']);
    await user.click(within(list).getByRole('button', { name: 'Sign out Safari on iOS (198.51.100.7)' }));
    expect(await screen.findByText('Session signed out')).toBeTruthy();
    await waitFor(() => expect(within(list).getAllByRole('listitem')).toHaveLength(1));
  });
});

describe('MFA helpers', () => {
  it('draws a real QR code and groups the secret for typing', () => {
    const { size, path } = qrPath('otpauth://totp/EngageX:a?secret=JBSWY3DPEHPK3PXP&issuer=EngageX');
    expect(size).toBeGreaterThanOrEqual(21);
    expect((size - 17) % 4).toBe(0); // a QR version's size is 17 + 4 * version
    expect(path.startsWith('M0 0h1v1h-1z')).toBe(true); // the finder pattern's corner
    expect(groupSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
  });
});
