/**
 * The permission matrix of engagex/permissions.py (`MATRIX`), mirrored so the app can
 * leave out what the signed-in person's role may not do. The server stays the judge: a
 * 403 is still handled everywhere. `permissions.test.ts` pins the table to
 * docs/permissions.md so that a change of the matrix shows up as a failing test here.
 */

import type { Role } from '../lib/roles.ts';

const ALL: readonly Role[] = ['owner', 'admin', 'campaign_manager', 'editor', 'analyst'];
const MANAGERS: readonly Role[] = ['owner', 'admin'];
const SENDERS: readonly Role[] = [...MANAGERS, 'campaign_manager'];
const AUTHORS: readonly Role[] = [...SENDERS, 'editor'];
const OWNERS: readonly Role[] = ['owner'];

export const PERMISSION_MATRIX = {
  'org:read': ALL,
  'org:manage': MANAGERS,
  'org:delete': OWNERS,
  'members:read': ALL,
  'members:manage': MANAGERS,
  'api_keys:manage': MANAGERS,
  'audit:read': MANAGERS,
  'contacts:read': ALL,
  'contacts:write': SENDERS,
  'contacts:import': SENDERS,
  'contacts:export': [...SENDERS, 'analyst'],
  'templates:read': ALL,
  'templates:write': AUTHORS,
  'campaigns:read': ALL,
  'campaigns:write': AUTHORS,
  'campaigns:send': SENDERS,
  'analytics:read': ALL,
  'domains:read': ALL,
  'domains:manage': MANAGERS,
  'webhooks:manage': MANAGERS,
  'billing:read': MANAGERS,
  'billing:manage': OWNERS,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSION_MATRIX;

/** Whether `role` holds `permission` (an unknown role holds nothing). */
export function roleCan(role: string, permission: Permission): boolean {
  return (PERMISSION_MATRIX[permission] as readonly string[]).includes(role);
}

/** Every permission of `role`, in the matrix's order. */
export function permissionsOf(role: string): Permission[] {
  return (Object.keys(PERMISSION_MATRIX) as Permission[]).filter((permission) => roleCan(role, permission));
}
