/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../lib/roles.ts';
import { PERMISSION_MATRIX, permissionsOf, roleCan, type Permission } from './permissions.ts';

// The server's matrix as published (generated from engagex/permissions.py, and kept equal
// to it by a server test). Tests run in frontend/.
const published = readFileSync(resolve(process.cwd(), '../docs/permissions.md'), 'utf8');

function parsePublished(markdown: string): Record<string, string[]> {
  const lines = markdown.split('\n').filter((line) => line.startsWith('| `'));
  const header = markdown.split('\n').find((line) => line.startsWith('| permission'))!;
  const roles = header
    .split('|')
    .map((cell) => cell.trim())
    .slice(3, -1);
  const table: Record<string, string[]> = {};
  for (const line of lines) {
    const cells = line.split('|').map((cell) => cell.trim());
    const permission = cells[1]!.replaceAll('`', '');
    table[permission] = roles.filter((_, index) => cells[3 + index] === 'yes');
  }
  return table;
}

describe('permission matrix', () => {
  it('is the one the server publishes in docs/permissions.md', () => {
    const server = parsePublished(published);
    expect(Object.keys(server).length).toBeGreaterThan(10);
    const mirrored = Object.fromEntries(
      Object.entries(PERMISSION_MATRIX).map(([permission, roles]) => [permission, [...roles].sort()]),
    );
    const expected = Object.fromEntries(Object.entries(server).map(([permission, roles]) => [permission, roles.sort()]));
    expect(mirrored).toEqual(expected);
  });

  it('answers per role', () => {
    expect(roleCan('analyst', 'campaigns:send')).toBe(false);
    expect(roleCan('campaign_manager', 'campaigns:send')).toBe(true);
    expect(roleCan('admin', 'billing:manage')).toBe(false);
    expect(roleCan('owner', 'billing:manage')).toBe(true);
    expect(roleCan('nobody', 'org:read')).toBe(false);
    for (const role of ROLES) expect(permissionsOf(role)).toContain<Permission>('org:read');
    expect(permissionsOf('analyst')).toEqual([
      'org:read',
      'members:read',
      'contacts:read',
      'contacts:export',
      'templates:read',
      'campaigns:read',
      'analytics:read',
      'domains:read',
    ]);
  });
});
