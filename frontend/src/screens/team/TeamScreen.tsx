import { useMembers, useOrganization, type Member } from '../../api/accounts.ts';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Badge, Card, CardHeader, DataTable, EmptyState, type BadgeTone, type Column } from '../../components/ui/index.ts';
import { formatDate, initials } from '../../lib/format.ts';
import { roleLabel } from '../../lib/roles.ts';

const ROLE_TONES: Partial<Record<string, BadgeTone>> = { owner: 'brand', admin: 'brand' };

function RoleBadge({ role }: { role: string }) {
  return <Badge tone={ROLE_TONES[role] ?? 'neutral'}>{roleLabel(role)}</Badge>;
}

const COLUMNS: Column<Member>[] = [
  {
    id: 'member',
    header: 'Member',
    cell: (member) => {
      const label = member.user.name || member.user.email;
      return (
        <div className="flex min-w-0 items-center gap-3">
          <span
            className="flex size-9 shrink-0 items-center justify-center rounded-full bg-indigo-100 text-xs font-semibold text-indigo-700"
            aria-hidden="true"
          >
            {initials(label)}
          </span>
          <div className="min-w-0">
            <p className="font-medium break-all text-slate-900">{label}</p>
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
    className: 'hidden sm:table-cell whitespace-nowrap',
    cell: (member) => formatDate(member.created_at),
  },
];

export default function TeamScreen() {
  const organization = useOrganization();
  const members = useMembers();
  const rows = members.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeader
        title="Team"
        description={`Everyone who works in ${organization.data?.name ?? 'this organization'}, and what their role lets them do.`}
      />
      <Card aria-labelledby="members-title">
        <CardHeader titleId="members-title" title="Members" description="Roles decide who can edit contacts, write templates and send campaigns." />
        {members.isError ? (
          <QueryError error={members.error} onRetry={() => void members.refetch()} />
        ) : (
          <DataTable
            caption="Members of the organization"
            columns={COLUMNS}
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
              />
            }
          />
        )}
      </Card>
    </>
  );
}
