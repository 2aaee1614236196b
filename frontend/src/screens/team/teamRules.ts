/**
 * What the signed-in person may do to a member, as the accounts services decide it
 * (blueprints/accounts/services/members.py): managers (owners, admins) change roles and
 * remove members; only an owner grants, changes or takes away the owner role. An unknown
 * role (API keys) is offered everything and the server answers.
 */

import type { Member } from '../../api/accounts.ts';
import { ROLES, type Role } from '../../lib/roles.ts';

export function isManager(role: Role | null): boolean {
  return role === null || role === 'owner' || role === 'admin';
}

/** The roles `role` may give (in an invitation, or to a member). */
export function grantableRoles(role: Role | null): readonly Role[] {
  return role === null || role === 'owner' ? ROLES : ROLES.filter((value) => value !== 'owner');
}

/** Whether `role` may change the role of `member`, or remove them. */
export function canManageMember(role: Role | null, member: Pick<Member, 'role'>): boolean {
  if (!isManager(role)) return false;
  return member.role !== 'owner' || role === null || role === 'owner';
}
