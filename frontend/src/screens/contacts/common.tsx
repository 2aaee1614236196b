/** Small pieces shared by the contacts pages. */

import type { ReactNode } from 'react';
import { Link } from 'wouter';
import type { ContactStatus, Group } from '../../api/contacts.ts';
import { Icon } from '../../components/Icon.tsx';
import { Badge, type BadgeTone } from '../../components/ui/index.ts';

export const STATUS_LABELS: Record<ContactStatus, string> = {
  subscribed: 'Subscribed',
  unsubscribed: 'Unsubscribed',
  bounced: 'Bounced',
  complained: 'Complained',
};

export const STATUS_HINTS: Record<ContactStatus, string> = {
  subscribed: 'Receives campaigns.',
  unsubscribed: 'Asked to receive nothing more; never sent to.',
  bounced: 'The address does not accept mail; never sent to.',
  complained: 'Marked a message as spam; never sent to.',
};

const STATUS_TONES: Record<ContactStatus, BadgeTone> = {
  subscribed: 'success',
  unsubscribed: 'neutral',
  bounced: 'warning',
  complained: 'danger',
};

export function ContactStatusBadge({ status }: { status: ContactStatus }) {
  return <Badge tone={STATUS_TONES[status]}>{STATUS_LABELS[status] ?? status}</Badge>;
}

/** "Ann Lee", or nothing when the contact has no name. */
export function fullName(contact: { first_name: string | null; last_name: string | null }): string {
  return [contact.first_name, contact.last_name].filter(Boolean).join(' ');
}

/** A link back to a list of the area; `to` is relative to /contacts ("" is the list). */
export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link
      href={to}
      className="mb-4 inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      <Icon name="arrowLeft" className="size-4" />
      {children}
    </Link>
  );
}

export function groupNames(ids: readonly number[], groups: readonly Group[] | undefined): string[] {
  const byId = new Map(groups?.map((group) => [group.id, group.name]));
  return ids.map((id) => byId.get(id) ?? `Group ${id}`);
}

/** The filters above a list, in one row where the width allows. */
export function Toolbar({ children }: { children: ReactNode }) {
  return (
    <div className="grid grid-cols-2 gap-3 border-b border-slate-200 px-5 py-4 sm:flex sm:flex-wrap sm:items-end sm:px-6">{children}</div>
  );
}
