import { lazy, Suspense, type ComponentType } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import type { Permission } from '../../auth/permissions.ts';
import { useViewer, viewerCan, type Viewer } from '../../auth/viewer.tsx';
import { Icon, type IconName } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { PageSkeleton } from '../../components/PageSkeleton.tsx';
import { cn } from '../../lib/cn.ts';
import { NotFoundScreen } from '../NotFoundScreen.tsx';
import { ApiKeysSettings } from './ApiKeysSettings.tsx';
import { OrganizationSettings } from './OrganizationSettings.tsx';

interface SectionDef {
  /** Relative to /settings. */
  path: string;
  label: string;
  icon: IconName;
  component: ComponentType;
  /** Offered only to roles with this permission (the route still answers, with a 403). */
  permission?: Permission;
  /** A signed-in person's own settings: API keys have none. */
  personal?: boolean;
}

/** The sections of Settings, in order; like SCREENS, one entry per section. */
const SECTIONS: readonly SectionDef[] = [
  { path: '/organization', label: 'Organization', icon: 'organization', component: OrganizationSettings },
  { path: '/security', label: 'Security', icon: 'shield', personal: true, component: lazy(() => import('./security/SecuritySettings.tsx')) },
  { path: '/notifications', label: 'Notifications', icon: 'bell', personal: true, component: lazy(() => import('./NotificationSettings.tsx')) },
  { path: '/api-keys', label: 'API keys', icon: 'key', permission: 'api_keys:manage', component: ApiKeysSettings },
  { path: '/webhooks', label: 'Webhooks', icon: 'webhook', permission: 'webhooks:manage', component: lazy(() => import('./webhooks/WebhooksSettings.tsx')) },
];

function offered(section: SectionDef, viewer: Viewer): boolean {
  if (section.personal && viewer.kind !== 'session') return false;
  return !section.permission || viewerCan(viewer, section.permission);
}

export default function SettingsScreen() {
  const [location] = useLocation();
  const viewer = useViewer();
  const sections = SECTIONS.filter((section) => offered(section, viewer));
  const current = SECTIONS.find((section) => location === section.path);
  return (
    <>
      <PageHeader
        title="Settings"
        description="Your organization's profile, your own security and notifications, the keys that give access to the API, and webhooks."
        documentTitle={current ? `${current.label} settings` : 'Page not found'}
      />
      <div className="flex flex-col gap-6 lg:flex-row lg:gap-8">
        <nav aria-label="Settings" className="-mx-4 overflow-x-auto px-4 lg:mx-0 lg:w-52 lg:shrink-0 lg:px-0">
          <ul className="flex gap-1 border-b border-slate-200 lg:flex-col lg:border-b-0">
            {sections.map((section) => {
              const active = section === current;
              return (
                <li key={section.path}>
                  <Link
                    href={section.path}
                    aria-current={active ? 'page' : undefined}
                    className={cn(
                      'flex items-center gap-2.5 px-3 py-2 text-sm font-medium whitespace-nowrap transition-colors',
                      'focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600',
                      '-mb-px border-b-2 lg:mb-0 lg:rounded-lg lg:border-b-0',
                      active
                        ? 'border-indigo-600 text-indigo-700 lg:bg-white lg:shadow-xs lg:ring-1 lg:ring-slate-200'
                        : 'border-transparent text-slate-600 hover:text-slate-900 lg:hover:bg-slate-100',
                    )}
                  >
                    <Icon name={section.icon} className={cn('size-4', active ? 'text-indigo-600' : 'text-slate-400')} />
                    {section.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="min-w-0 flex-1">
          <Suspense fallback={<PageSkeleton />}>
            <Switch>
              <Route path="/">
                <Redirect to={SECTIONS[0]!.path} replace />
              </Route>
              {SECTIONS.filter((section) => !section.personal || viewer.kind === 'session').map(({ path, component }) => (
                <Route key={path} path={path} component={component} />
              ))}
              <Route component={NotFoundScreen} />
            </Switch>
          </Suspense>
        </div>
      </div>
    </>
  );
}
