/**
 * The "Get started" checklist: the four things an organization needs before its first
 * campaign, each done or to do, with the screen that does it.
 */

import type { Domain } from '../../api/domains.ts';
import { PERMISSION_MATRIX, type Permission } from '../../auth/permissions.ts';
import { formatNumber } from '../../lib/format.ts';
import { roleLabel } from '../../lib/roles.ts';

/** `unknown`: its data could not be read (the step is then left out). */
export type StepState = 'done' | 'todo' | 'unknown';

export interface ChecklistStep {
  id: 'contacts' | 'template' | 'domain' | 'campaign';
  title: string;
  description: string;
  state: StepState;
  action: { label: string; href: string; permission: Permission };
}

export interface ChecklistInput {
  /** How many contacts; undefined when unknown. */
  contacts: number | undefined;
  templates: number | undefined;
  domains: readonly Pick<Domain, 'id' | 'name' | 'status'>[] | undefined;
  /** Whether a campaign ever started sending, and the newest draft to continue. */
  campaigns: { sent: boolean; draftId: number | null } | undefined;
}

const state = (known: boolean, done: boolean): StepState => (!known ? 'unknown' : done ? 'done' : 'todo');

export function checklistSteps({ contacts, templates, domains, campaigns }: ChecklistInput): ChecklistStep[] {
  const verified = domains?.find((domain) => domain.status === 'verified');
  const started = domains?.[0];
  return [
    {
      id: 'contacts',
      title: 'Add your contacts',
      description:
        contacts !== undefined && contacts > 0
          ? `${formatNumber(contacts)} ${contacts === 1 ? 'contact is' : 'contacts are'} in your audience.`
          : 'Import a CSV or Excel file from the tool you use today; EngageX matches the columns for you.',
      state: state(contacts !== undefined, (contacts ?? 0) > 0),
      action: { label: 'Import contacts', href: '~/contacts/import', permission: 'contacts:import' },
    },
    {
      id: 'template',
      title: 'Design your email',
      description:
        templates !== undefined && templates > 0
          ? 'You have a template ready to send.'
          : 'Start from a ready-made layout and make it yours; the preview shows it as your contacts will see it.',
      state: state(templates !== undefined, (templates ?? 0) > 0),
      action: { label: 'Choose a template', href: '~/templates', permission: 'templates:write' },
    },
    {
      id: 'domain',
      title: 'Verify your sending domain',
      description: verified
        ? `${verified.name} is verified: mail from it is trusted by Gmail, Outlook and others.`
        : started
          ? `Publish the DNS records of ${started.name}, then check them: it takes a few minutes at your DNS host.`
          : 'Publish a few DNS records so that Gmail, Outlook and others trust mail from your address.',
      state: state(domains !== undefined, verified !== undefined),
      action: started
        ? { label: `Finish ${started.name}`, href: `~/domains/${started.id}`, permission: 'domains:read' }
        : { label: 'Add your domain', href: '~/domains', permission: 'domains:manage' },
    },
    {
      id: 'campaign',
      title: 'Send your first campaign',
      description: campaigns?.sent
        ? 'Your first campaign is out. Its opens and clicks appear below as they come in.'
        : campaigns?.draftId
          ? 'Your draft is waiting: choose who receives it, send yourself a test, then send.'
          : 'Choose who receives it and which template, send yourself a test, then send.',
      state: state(campaigns !== undefined, campaigns?.sent ?? false),
      action: campaigns?.draftId
        ? { label: 'Continue your draft', href: `~/campaigns/${campaigns.draftId}`, permission: 'campaigns:write' }
        : { label: 'Create a campaign', href: '~/campaigns/new', permission: 'campaigns:write' },
    },
  ];
}

/**
 * The checklist is for the first run: it shows until a campaign has been sent (what
 * goes wrong later, e.g. a domain failing its check, is an alert instead).
 */
export function showChecklist(steps: readonly ChecklistStep[]): boolean {
  return steps.find((step) => step.id === 'campaign')?.state === 'todo';
}

/** "Ask an owner or admin." for a step the viewer's role cannot do. */
export function whoCan(permission: Permission): string {
  const roles = PERMISSION_MATRIX[permission].map((role) => roleLabel(role).toLowerCase());
  const list = roles.length > 1 ? `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}` : (roles[0] ?? 'an admin');
  return `Ask ${/^[aeiou]/.test(list) ? 'an' : 'a'} ${list} to do this step.`;
}
