import { describe, expect, it } from 'vitest';
import { canManageMember, grantableRoles, isManager } from './teamRules.ts';

describe('team rules', () => {
  it('lets owners grant every role and admins every role but owner', () => {
    expect(grantableRoles('owner')).toContain('owner');
    expect(grantableRoles('admin')).not.toContain('owner');
    expect(grantableRoles('admin')).toEqual(['admin', 'campaign_manager', 'editor', 'analyst']);
    // An API key's role is unknown: everything is offered, the server answers.
    expect(grantableRoles(null)).toContain('owner');
  });

  it('keeps owners for owners to change', () => {
    expect(canManageMember('owner', { role: 'owner' })).toBe(true);
    expect(canManageMember('admin', { role: 'owner' })).toBe(false);
    expect(canManageMember('admin', { role: 'editor' })).toBe(true);
    expect(canManageMember('campaign_manager', { role: 'analyst' })).toBe(false);
    expect(canManageMember('analyst', { role: 'analyst' })).toBe(false);
    expect(isManager('editor')).toBe(false);
  });
});
