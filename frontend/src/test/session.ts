/** A signed-in person for tests: the `GET /api/v1/auth/me` answer and the organization. */

import type { AuthState, OrganizationRef } from '../api/auth.ts';
import type { Role } from '../lib/roles.ts';

export const ORG = {
  id: 1,
  slug: 'acme',
  name: 'Acme Outdoor Co.',
  default_from_name: null,
  default_from_email: null,
  timezone: 'UTC',
  require_mfa: false,
  created_at: '2026-01-02T10:00:00+00:00',
};

export function orgRef(role: Role, overrides: Partial<OrganizationRef> = {}): OrganizationRef {
  return { id: ORG.id, slug: ORG.slug, name: ORG.name, role, require_mfa: false, ...overrides };
}

export function authState(role: Role, overrides: Partial<AuthState> = {}): AuthState {
  const organization = orgRef(role);
  return {
    mfa_required: false,
    user: {
      id: 7,
      email: 'maya@acme.example.com',
      name: 'Maya Lin',
      has_password: true,
      mfa_enabled: false,
      recovery_codes_left: 0,
    },
    organization,
    organizations: [organization],
    csrf_token: 'csrf-1',
    problem: null,
    ...overrides,
  };
}

export const EMPTY_PAGE = { items: [], next_cursor: null };
export const EMPTY_INBOX = { items: [], next_cursor: null, unread_count: 0 };
