import { useState } from 'react';
import { useMembers, useOrganization, type Member } from '../../api/accounts.ts';
import { useCan, useViewer } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import {
  Badge,
  Button,
  Card,
  CardHeader,
  DataTable,
  EmptyState,
  Initials,
  Menu,
  MenuItem,
  type BadgeTone,
  type Column,
} from '../../components/ui/index.ts';
import { formatDate } from '../../lib/format.ts';
import { roleLabel } from '../../lib/roles.ts';
import { InvitationsCard } from './InvitationsCard.tsx';
import { InviteDialog } from './InviteDialog.tsx';
import { ChangeRoleDialog, LeaveDialog, RemoveMemberDialog } from './MemberDialogs.tsx';
import { canManageMember, grantableRoles } from './teamRules.ts';

const ROLE_TONES: Partial<Record<string, BadgeTone>> = { owner: 'brand', admin: 'brand' };

function RoleBadge({ role }: { role: string }) {
  return <Badge tone={ROLE_TONES[role] ?? 'neutral'}>{roleLabel(role)}</Badge>;
}

/** The actions on one member the signed-in person may take, as a menu (none: no menu). */
function MemberActions({
  member,
  isSelf,
  canChange,
  onChangeRole,
  onRemove,
  onLeave,
}: {
  member: Member;
  isSelf: boolean;
  canChange: boolean;
  onChangeRole: () => void;
  onRemove: () => void;
  onLeave: (() => void) | null;
}) {
  const label = member.user.name || member.user.email;
  if (!canChange && !(isSelf && onLeave)) return null;
  return (
    <Menu
      label={`Actions for ${label}`}
      triggerClassName="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
      panelClassName="w-52"
      trigger={<Icon name="more" />}
    >
      {canChange && <MenuItem onSelect={onChangeRole}>Change role…</MenuItem>}
      {isSelf && onLeave ? (
        <MenuItem onSelect={onLeave} tone="danger">
          Leave organization…
        </MenuItem>
      ) : (
        canChange && (
          <MenuItem onSelect={onRemove} tone="danger">
            Remove from organization…
          </MenuItem>
        )
      )}
    </Menu>
  );
}

export default function TeamScreen() {
  const organization = useOrganization();
  const members = useMembers();
  const viewer = useViewer();
  const can = useCan();
  const [inviting, setInviting] = useState(false);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [changing, setChanging] = useState<Member | null>(null);
  const [leaving, setLeaving] = useState(false);
  const rows = members.data?.pages.flatMap((page) => page.items) ?? [];
  const canManage = can('members:manage');
  const roles = grantableRoles(viewer.role);
  const me = viewer.user?.id;
  const orgName = organization.data?.name ?? viewer.organization?.name ?? 'this organization';

  const columns: Column<Member>[] = [
    {
      id: 'member',
      header: 'Member',
      cell: (member) => {
        const label = member.user.name || member.user.email;
        return (
          <div className="flex min-w-0 items-center gap-3">
            <Initials of={label} className="size-9 rounded-full bg-indigo-100 text-indigo-700" />
            <div className="min-w-0">
              <p className="flex flex-wrap items-center gap-x-2 font-medium break-all text-slate-900">
                {label}
                {member.user.id === me && <Badge tone="brand">You</Badge>}
              </p>
              {member.user.name && <p className="break-all text-slate-500">{member.user.email}</p>}
              <p className="mt-1 sm:hidden">
                <RoleBadge role={member.role} />
              </p>
            </div>
          </div>
        );
      },
    },
    {
      id: 'role',
      header: 'Role',
      className: 'hidden sm:table-cell',
      cell: (member) => <RoleBadge role={member.role} />,
    },
    {
      id: 'joined',
      header: 'Member since',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (member) => formatDate(member.created_at),
    },
  ];
  const person = viewer.kind === 'session';
  if (canManage || person) {
    columns.push({
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px text-right',
      cell: (member) => (
        <MemberActions
          member={member}
          isSelf={member.user.id === me}
          canChange={canManage && canManageMember(viewer.role, member)}
          onChangeRole={() => setChanging(member)}
          onRemove={() => setRemoving(member)}
          onLeave={person ? () => setLeaving(true) : null}
        />
      ),
    });
  }

  const inviteButton = canManage ? (
    <Button onClick={() => setInviting(true)} icon={<Icon name="plus" className="size-4" />}>
      Invite member
    </Button>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="Team"
        description={`Everyone who works in ${orgName}, and what their role lets them do.`}
        actions={inviteButton}
      />
      <div className="space-y-6">
        <InvitationsCard canManage={canManage} />
        <Card aria-labelledby="members-title">
          <CardHeader
            titleId="members-title"
            title="Members"
            description={
              canManage
                ? 'Roles decide who can edit contacts, write templates and send campaigns. Only owners grant the owner role.'
                : 'Roles decide who can edit contacts, write templates and send campaigns. Owners and admins manage the team.'
            }
          />
          {members.isError ? (
            <QueryError error={members.error} onRetry={() => void members.refetch()} />
          ) : (
            <DataTable
              caption="Members of the organization"
              columns={columns}
              rows={rows}
              rowKey={(member) => member.id}
              loading={members.isPending}
              hasMore={members.hasNextPage}
              onLoadMore={() => void members.fetchNextPage()}
              loadingMore={members.isFetchingNextPage}
              itemLabel={{ one: 'member', other: 'members' }}
              empty={
                <EmptyState
                  icon={<Icon name="team" className="size-6" />}
                  title="No members yet"
                  description="Members appear here once they join the organization."
                  action={inviteButton}
                />
              }
            />
          )}
        </Card>
      </div>
      {canManage && <InviteDialog open={inviting} onClose={() => setInviting(false)} roles={roles} organizationName={orgName} />}
      <ChangeRoleDialog member={changing} roles={roles} onClose={() => setChanging(null)} />
      <RemoveMemberDialog member={removing} organizationName={orgName} onClose={() => setRemoving(null)} />
      <LeaveDialog open={leaving} organizationName={orgName} onClose={() => setLeaving(false)} />
    </>
  );
}
