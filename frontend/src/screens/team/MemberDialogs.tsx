import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useRemoveMember, useSetMemberRole, type Member } from '../../api/accounts.ts';
import { fetchMe } from '../../api/auth.ts';
import { api } from '../../api/client.ts';
import { describeError } from '../../api/errors.ts';
import { enterOrganization } from '../../components/shell/useSwitchOrganization.ts';
import { Alert, Button, ConfirmDialog, Dialog, Select, useToast } from '../../components/ui/index.ts';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, roleLabel, type Role } from '../../lib/roles.ts';

function memberLabel(member: Member): string {
  return member.user.name || member.user.email;
}

/** Remove a member; the server refuses the last owner (409 `last_owner`) with a reason. */
export function RemoveMemberDialog({
  member,
  organizationName,
  onClose,
}: {
  member: Member | null;
  organizationName: string;
  onClose: () => void;
}) {
  const remove = useRemoveMember();
  const toast = useToast();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={member !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      errorTitle="The member was not removed"
      title={member ? `Remove ${memberLabel(member)}?` : 'Remove member?'}
      description={
        member
          ? `${member.user.email} loses access to ${organizationName} at once. Their account and what they made stay.`
          : undefined
      }
      confirmLabel="Remove"
      onConfirm={() =>
        member &&
        remove.mutate(member.id, {
          onSuccess: () => {
            toast.success('Member removed', `${member.user.email} no longer has access.`);
            close();
          },
        })
      }
    />
  );
}

/** The signed-in person leaves the organization (not the last owner). */
export function LeaveDialog({
  open,
  organizationName,
  onClose,
}: {
  open: boolean;
  organizationName: string;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const toast = useToast();
  const leave = useMutation({
    mutationFn: async () => {
      await api.post<void>('/organization/leave');
      return fetchMe();
    },
    onSuccess: (state) => {
      enterOrganization(client, state);
      navigate('/');
      toast.success(`You left ${organizationName}`);
    },
  });
  const close = () => {
    leave.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      onClose={close}
      busy={leave.isPending}
      error={leave.error}
      errorTitle="You are still a member"
      title={`Leave ${organizationName}?`}
      description="You lose access at once. To come back, someone has to invite you again."
      confirmLabel="Leave organization"
      onConfirm={() => leave.mutate()}
    />
  );
}

/** Change a member's role; the server refuses what the rules forbid, with its reason. */
export function ChangeRoleDialog({
  member,
  roles,
  onClose,
}: {
  member: Member | null;
  /** What the signed-in person may grant. */
  roles: readonly Role[];
  onClose: () => void;
}) {
  const setRole = useSetMemberRole();
  const toast = useToast();
  const [role, setRoleValue] = useState<Role | null>(null);
  const chosen = role ?? member?.role ?? 'analyst';
  const options = member && !roles.includes(member.role) ? [member.role, ...roles] : roles;
  const close = () => {
    setRoleValue(null);
    setRole.reset();
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!member) return;
    if (chosen === member.role) {
      close();
      return;
    }
    setRole.mutate(
      { id: member.id, role: chosen },
      {
        onSuccess: () => {
          toast.success('Role changed', `${memberLabel(member)} is now ${roleLabel(chosen).toLowerCase()}.`);
          close();
        },
      },
    );
  };
  return (
    <Dialog
      open={member !== null}
      onClose={close}
      busy={setRole.isPending}
      size="sm"
      title={member ? `Change the role of ${memberLabel(member)}` : 'Change role'}
      description="The new role applies at once, in the browser and to the API."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={setRole.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="change-role" loading={setRole.isPending}>
            Save role
          </Button>
        </>
      }
    >
      <form id="change-role" onSubmit={submit} noValidate className="space-y-4">
        {setRole.isError && <Alert title="The role was not changed">{describeError(setRole.error)}</Alert>}
        <Select
          label="Role"
          name="role"
          value={chosen}
          onChange={(event) => {
            setRoleValue(event.target.value as Role);
            setRole.reset();
          }}
          options={options.map((value) => ({ value, label: ROLE_LABELS[value] }))}
          hint={ROLE_DESCRIPTIONS[chosen]}
          data-autofocus
        />
      </form>
    </Dialog>
  );
}
