/** The roles of the permission matrix (engagex/permissions.py), in the words of the UI. */

export const ROLES = ['owner', 'admin', 'campaign_manager', 'editor', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  owner: 'Owner',
  admin: 'Admin',
  campaign_manager: 'Campaign manager',
  editor: 'Editor',
  analyst: 'Analyst',
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  owner: 'Everything, including billing and deleting the organization.',
  admin: 'Manages the organization, team, API keys and sending domains.',
  campaign_manager: 'Manages contacts and sends campaigns.',
  editor: 'Writes templates and drafts campaigns; cannot send.',
  analyst: 'Reads contacts, campaigns and reports; can export contacts.',
};

export function roleLabel(role: string): string {
  return (ROLE_LABELS as Record<string, string>)[role] ?? role;
}
