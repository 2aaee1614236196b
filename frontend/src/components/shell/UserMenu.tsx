import { useLocation } from 'wouter';
import { useSessionActions } from '../../auth/session.tsx';
import { useViewer } from '../../auth/viewer.tsx';
import { Initials } from '../ui/index.ts';
import { Icon } from '../Icon.tsx';
import { Menu, MenuItem, MenuSeparator } from '../ui/index.ts';

/** The signed-in person: their own settings and signing out. */
export function UserMenu() {
  const { user } = useViewer();
  const { signOut } = useSessionActions();
  const [, navigate] = useLocation();
  if (!user) return null;
  const label = user.name || user.email;
  return (
    <Menu
      label={`Account: ${label}`}
      triggerClassName="rounded-full"
      trigger={
<Initials of={label} className="size-8 rounded-full bg-indigo-100 text-indigo-700 hover:bg-indigo-200" />
      }
      header={
        <div className="border-b border-slate-200 px-2.5 pt-1.5 pb-2.5 mb-1.5">
          {user.name && <p className="truncate text-sm font-medium text-slate-900">{user.name}</p>}
          <p className="truncate text-sm text-slate-500" data-testid="signed-in-email">
            {user.email}
          </p>
        </div>
      }
    >
      <MenuItem
        onSelect={() => navigate('/settings/security')}
        restoreFocus={false}
        icon={<Icon name="shield" className="size-4 text-slate-400" />}
      >
        Security
      </MenuItem>
      <MenuItem
        onSelect={() => navigate('/settings/notifications')}
        restoreFocus={false}
        icon={<Icon name="bell" className="size-4 text-slate-400" />}
      >
        Notification settings
      </MenuItem>
      <MenuSeparator />
      <MenuItem onSelect={() => void signOut()} restoreFocus={false} icon={<Icon name="logout" className="size-4" />}>
        Sign out
      </MenuItem>
    </Menu>
  );
}
