import type { ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { Icon } from '../../components/Icon.tsx';
import { MoreIcon, type MoreIconName } from '../../components/MoreIcons.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { cn } from '../../lib/cn.ts';

export interface TabDef {
  /** Relative to /contacts. */
  path: string;
  label: string;
  icon: ReactNode;
  description: string;
}

const tabIcon = (name: MoreIconName) => <MoreIcon name={name} className="size-4" />;

/** The sections of Contacts, in order; each is a tab under the area's header. */
export const TABS: readonly TabDef[] = [
  {
    path: '/',
    label: 'All contacts',
    icon: <Icon name="contacts" className="size-4" />,
    description: 'Everyone you can send to: search, filter, open a contact, import and export.',
  },
  { path: '/groups', label: 'Groups', icon: tabIcon('group'), description: 'Lists that contacts belong to, for campaigns and imports.' },
  {
    path: '/segments',
    label: 'Segments',
    icon: tabIcon('segment'),
    description: 'Saved rules that pick contacts by their fields and groups, always up to date.',
  },
  {
    path: '/imports',
    label: 'Imports',
    icon: tabIcon('upload'),
    description: 'Files imported into your contacts and what became of each row.',
  },
  {
    path: '/suppressions',
    label: 'Suppressions',
    icon: tabIcon('ban'),
    description: 'Addresses and whole domains that are never sent to, whatever their status.',
  },
  {
    path: '/fields',
    label: 'Custom fields',
    icon: tabIcon('field'),
    description: 'Typed fields that contacts carry beyond their name and address.',
  },
];

function Tabs({ current }: { current: TabDef }) {
  return (
    <nav aria-label="Contacts" className="-mx-4 mb-6 overflow-x-auto px-4 sm:mx-0 sm:px-0">
      <ul className="flex gap-1 border-b border-slate-200">
        {TABS.map((tab) => {
          const active = tab === current;
          return (
            <li key={tab.path}>
              <Link
                href={tab.path === '/' ? '' : tab.path}
                aria-current={active ? 'page' : undefined}
                className={cn(
                  '-mb-px flex items-center gap-2 border-b-2 px-3 py-2.5 text-sm font-medium whitespace-nowrap transition-colors',
                  'focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600',
                  active
                    ? 'border-indigo-600 text-indigo-700'
                    : 'border-transparent text-slate-600 hover:border-slate-300 hover:text-slate-900',
                )}
              >
                <span className={active ? 'text-indigo-600' : 'text-slate-400'}>{tab.icon}</span>
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

/**
 * The header of a Contacts tab: the area's title, the tab's description and actions, and
 * the tabs. Each tab page renders it first, with its own actions.
 */
export function ContactsHeader({ actions }: { actions?: ReactNode }) {
  const [location] = useLocation();
  const tab = TABS.find((candidate) => candidate.path === location) ?? TABS[0]!;
  return (
    <>
      <PageHeader
        title="Contacts"
        description={tab.description}
        documentTitle={tab.path === '/' ? 'Contacts' : `${tab.label} · Contacts`}
        actions={actions}
      />
      <Tabs current={tab} />
    </>
  );
}
