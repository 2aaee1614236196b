import { describe, expect, it } from 'vitest';
import { connectUrl, isPublicPath, mfaUrl, safeNext, signInUrl } from './session.tsx';
import { UNKNOWN_VIEWER, viewerCan, type Viewer } from './viewer.tsx';

describe('where people go', () => {
  it('returns only to paths of this app, never to a public page', () => {
    expect(safeNext('/team?x=1')).toBe('/team?x=1');
    expect(safeNext('https://evil.example.com')).toBe('/');
    expect(safeNext('//evil.example.com')).toBe('/');
    expect(safeNext('/\\evil.example.com')).toBe('/');
    expect(safeNext('/sign-in?next=/team')).toBe('/');
    expect(safeNext('/connect')).toBe('/');
    expect(safeNext(null)).toBe('/');
  });

  it('knows the public pages', () => {
    expect(isPublicPath('/sign-in')).toBe(true);
    expect(isPublicPath('/sign-in/mfa?next=%2F')).toBe(true);
    expect(isPublicPath('/invitations/accept')).toBe(true);
    expect(isPublicPath('/sign-ins')).toBe(false);
    expect(isPublicPath('/team')).toBe(false);
  });

  it('builds the sign-in links', () => {
    expect(signInUrl('/')).toBe('/sign-in');
    expect(signInUrl('/team', 'expired')).toBe('/sign-in?next=%2Fteam&reason=expired');
    expect(signInUrl('/', 'joined', { email: 'a@b.co', org: 7 })).toBe('/sign-in?reason=joined&email=a%40b.co&org=7');
    expect(mfaUrl('/billing')).toBe('/sign-in/mfa?next=%2Fbilling');
    expect(connectUrl('/team', 'expired')).toBe('/connect?next=%2Fteam&reason=expired');
  });
});

describe('viewerCan', () => {
  const person = (role: Viewer['role'], permissions?: string[]): Viewer => ({
    kind: 'session',
    role,
    user: null,
    organization: role
      ? { id: 1, slug: 'acme', name: 'Acme', role, require_mfa: false, ...(permissions ? { permissions } : {}) }
      : null,
    organizations: [],
  });

  it('follows the role, or the server list when it sends one', () => {
    expect(viewerCan(person('analyst'), 'campaigns:send')).toBe(false);
    expect(viewerCan(person('campaign_manager'), 'campaigns:send')).toBe(true);
    expect(viewerCan(person('analyst', ['campaigns:send']), 'campaigns:send')).toBe(true);
  });

  it('offers everything when the role is unknown (API keys): the server decides', () => {
    expect(viewerCan(UNKNOWN_VIEWER, 'billing:manage')).toBe(true);
    expect(viewerCan({ ...UNKNOWN_VIEWER, kind: 'api_key' }, 'members:manage')).toBe(true);
  });
});
