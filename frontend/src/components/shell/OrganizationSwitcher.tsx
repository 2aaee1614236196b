import { useState } from 'react';
import { useViewer } from '../../auth/viewer.tsx';
import { Initials } from '../ui/index.ts';
import { roleLabel } from '../../lib/roles.ts';
import { Icon } from '../Icon.tsx';
import { Menu, MenuItem, MenuLabel, MenuSeparator } from '../ui/index.ts';
import { CreateOrganizationDialog } from './CreateOrganizationDialog.tsx';
import { useSwitchOrganization } from './useSwitchOrganization.ts';

function OrgMark({ name }: { name: string }) {
  return (
<Initials of={name} className="size-8 rounded-lg bg-slate-900 text-white" />
  );
}

/** The current organization in the top bar; a menu to switch to another or create one. */
export function OrganizationSwitcher() {
  const viewer = useViewer();
  const switchTo = useSwitchOrganization();
  const [creating, setCreating] = useState(false);
  const current = viewer.organization;
  if (!current) return null;

  return (
    <>
      <Menu
        align="left"
        triggerClassName="min-w-0 max-w-full gap-3 px-1 py-1 text-left hover:bg-slate-100"
        trigger={
          <>
            <OrgMark name={current.name} />
            <span className="min-w-0 leading-tight">
              <span className="sr-only">Organization: </span>
              <span className="block truncate text-sm font-semibold text-slate-900" data-testid="org-name">
                {current.name}
              </span>
              <span className="sr-only">, </span>
              <span className="block truncate text-xs text-slate-500" data-testid="current-role">
                {roleLabel(current.role)}
              </span>
              <span className="sr-only">. Switch organization</span>
            </span>
            <Icon name="selector" className="size-4 text-slate-400" />
          </>
        }
        header={<MenuLabel>Your organizations</MenuLabel>}
      >
        {viewer.organizations.map((organization) => (
          <MenuItem
            key={organization.id}
            checked={organization.id === current.id}
            restoreFocus={false}
            onSelect={() => {
              if (organization.id !== current.id) switchTo.mutate(organization.id);
            }}
            icon={<OrgMark name={organization.name} />}
          >
            <span className="block truncate font-medium text-slate-900">{organization.name}</span>
            <span className="block truncate text-xs text-slate-500">{roleLabel(organization.role)}</span>
          </MenuItem>
        ))}
        <MenuSeparator />
        <MenuItem onSelect={() => setCreating(true)} icon={<Icon name="plus" className="size-4 text-slate-400" />} restoreFocus={false}>
          Create organization
        </MenuItem>
      </Menu>
      <CreateOrganizationDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
