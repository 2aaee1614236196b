import { useOrganization } from '../../api/accounts.ts';
import { useApiKey, useSessionActions } from '../../auth/session.tsx';
import { useIsPerson } from '../../auth/viewer.tsx';
import { Initials } from '../ui/index.ts';
import { Icon } from '../Icon.tsx';
import { Badge, Skeleton } from '../ui/index.ts';
import { NotificationBell } from './NotificationBell.tsx';
import { OrganizationSwitcher } from './OrganizationSwitcher.tsx';
import { UserMenu } from './UserMenu.tsx';

/** The organization of an API key: no switching (a key belongs to one organization). */
function KeyOrganization() {
  const organization = useOrganization();
  const org = organization.data;
  if (!org) return <Skeleton className="h-8 w-40" />;
  return (
    <>
      <Initials of={org.name} className="size-8 rounded-lg bg-slate-900 text-white" />
      <div className="min-w-0 leading-tight">
        <p className="truncate text-sm font-semibold text-slate-900" data-testid="org-name">
          {org.name}
        </p>
        <p className="truncate text-xs text-slate-500">{org.slug}</p>
      </div>
    </>
  );
}

export function TopBar({ onOpenMenu }: { onOpenMenu: () => void }) {
  const apiKey = useApiKey();
  const person = useIsPerson() && !apiKey;
  const { disconnect } = useSessionActions();

  return (
    <header className="sticky top-0 z-30 flex h-16 items-center gap-3 border-b border-slate-200 bg-white/90 px-4 backdrop-blur sm:px-6 lg:px-8">
      <button
        type="button"
        onClick={onOpenMenu}
        className="-ml-1 rounded-md p-2 text-slate-600 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600 lg:hidden"
      >
        <span className="sr-only">Open navigation</span>
        <Icon name="menu" />
      </button>
      <div className="flex min-w-0 flex-1 items-center gap-3">{person ? <OrganizationSwitcher /> : <KeyOrganization />}</div>
      <div className="flex items-center gap-1.5 sm:gap-2">
        {person ? (
          <>
            <NotificationBell />
            <UserMenu />
          </>
        ) : (
          <>
            {apiKey && (
              <span className="hidden sm:flex">
                <Badge tone="neutral" className="gap-1">
                  <Icon name="key" className="size-3.5" />
                  API key
                </Badge>
              </span>
            )}
            <button
              type="button"
              onClick={disconnect}
              className="flex items-center gap-1.5 rounded-lg px-2.5 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              <Icon name="logout" className="size-4" />
              <span className="hidden sm:inline">Disconnect</span>
              <span className="sr-only sm:hidden">Disconnect</span>
            </button>
          </>
        )}
      </div>
    </header>
  );
}
