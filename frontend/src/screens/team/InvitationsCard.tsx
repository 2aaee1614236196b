import { useState } from 'react';
import { usePendingInvitations, useResendInvitation, useRevokeInvitation, type Invitation } from '../../api/accounts.ts';
import { describeError } from '../../api/errors.ts';
import { QueryError } from '../../components/QueryError.tsx';
import { Badge, Button, Card, CardHeader, ConfirmDialog, DataTable, useToast, type Column } from '../../components/ui/index.ts';
import { formatDate, formatRelative } from '../../lib/format.ts';
import { roleLabel } from '../../lib/roles.ts';

function RevokeInvitationDialog({ invitation, onClose }: { invitation: Invitation | null; onClose: () => void }) {
  const revoke = useRevokeInvitation();
  const toast = useToast();
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={invitation !== null}
      onClose={close}
      busy={revoke.isPending}
      error={revoke.error}
      title="Withdraw this invitation?"
      description={invitation ? `The link sent to ${invitation.email} stops working. You can invite them again later.` : undefined}
      confirmLabel="Withdraw"
      onConfirm={() =>
        invitation &&
        revoke.mutate(invitation.id, {
          onSuccess: () => {
            toast.success('Invitation withdrawn', `${invitation.email} can no longer join with that link.`);
            close();
          },
        })
      }
    />
  );
}

/** Pending invitations; managers resend (a fresh 7-day link) or withdraw them. */
export function InvitationsCard({ canManage }: { canManage: boolean }) {
  const invitations = usePendingInvitations();
  const resend = useResendInvitation();
  const toast = useToast();
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const rows = invitations.data?.pages.flatMap((page) => page.items) ?? [];

  // Nothing pending: the card would only say so; the Invite button is in the header.
  if (invitations.isSuccess && rows.length === 0) return null;

  const columns: Column<Invitation>[] = [
    {
      id: 'email',
      header: 'Invited',
      cell: (invitation) => (
        <div className="min-w-0">
          <p className="font-medium break-all text-slate-900">{invitation.email}</p>
          <p className="text-slate-500">
            {invitation.invited_by ? `By ${invitation.invited_by.name || invitation.invited_by.email}, ` : ''}
            sent {formatRelative(invitation.sent_at ?? invitation.created_at)}
          </p>
          <p className="mt-1 sm:hidden">
            <Badge>{roleLabel(invitation.role)}</Badge>
          </p>
        </div>
      ),
    },
    {
      id: 'role',
      header: 'Role',
      className: 'hidden sm:table-cell',
      cell: (invitation) => <Badge>{roleLabel(invitation.role)}</Badge>,
    },
    {
      id: 'expires',
      header: 'Expires',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (invitation) => formatDate(invitation.expires_at),
    },
    ...(canManage
      ? [
          {
            id: 'actions',
            header: 'Actions',
            srOnlyHeader: true,
            className: 'w-px text-right whitespace-nowrap',
            cell: (invitation: Invitation) => (
              <div className="flex justify-end gap-1">
                <Button
                  variant="ghost"
                  size="sm"
                  loading={resend.isPending && resend.variables === invitation.id}
                  aria-label={`Resend the invitation to ${invitation.email}`}
                  onClick={() =>
                    resend.mutate(invitation.id, {
                      onSuccess: () => toast.success('Invitation sent again', `A new link went to ${invitation.email}.`),
                      onError: (error) => toast.error('The invitation was not sent', describeError(error)),
                    })
                  }
                >
                  Resend
                </Button>
                <Button
                  variant="danger-ghost"
                  size="sm"
                  aria-label={`Withdraw the invitation to ${invitation.email}`}
                  onClick={() => setRevoking(invitation)}
                >
                  Withdraw
                </Button>
              </div>
            ),
          } satisfies Column<Invitation>,
        ]
      : []),
  ];

  return (
    <Card aria-labelledby="invitations-title">
      <CardHeader
        titleId="invitations-title"
        title="Pending invitations"
        description="People who were invited and have not joined yet. Links work once, for 7 days."
      />
      {invitations.isError ? (
        <QueryError error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : (
        <DataTable
          caption="Pending invitations"
          columns={columns}
          rows={rows}
          rowKey={(invitation) => invitation.id}
          loading={invitations.isPending}
          hasMore={invitations.hasNextPage}
          onLoadMore={() => void invitations.fetchNextPage()}
          loadingMore={invitations.isFetchingNextPage}
          itemLabel={{ one: 'invitation', other: 'invitations' }}
        />
      )}
      <RevokeInvitationDialog invitation={revoking} onClose={() => setRevoking(null)} />
    </Card>
  );
}
