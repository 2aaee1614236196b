import { useRef, useState, type FormEvent } from 'react';
import { useInvite } from '../../api/accounts.ts';
import { Alert, Button, Dialog, Input, Select, useToast } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { ROLE_DESCRIPTIONS, ROLE_LABELS, type Role } from '../../lib/roles.ts';

const FIELDS = ['email', 'role'] as const;
const CODE_TO_FIELD = {
  invalid_email: 'email',
  already_member: 'email',
  invalid_role: 'role',
  owner_required: 'role',
} as const;
// Least privilege first, as for API keys: the inviter raises it on purpose.
const DEFAULT_ROLE: Role = 'analyst';

/** Invite someone by email with a role; the link in the email works once, for 7 days. */
export function InviteDialog({
  open,
  onClose,
  roles,
  organizationName,
}: {
  open: boolean;
  onClose: () => void;
  /** The roles the inviter may grant (owner only for owners). */
  roles: readonly Role[];
  organizationName: string;
}) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>(DEFAULT_ROLE);
  const [missing, setMissing] = useState<string | null>(null);
  const invite = useInvite();
  const toast = useToast();
  const errors = useServerErrors(invite.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, invite.error ?? missing);

  const close = () => {
    setEmail('');
    setRole(DEFAULT_ROLE);
    setMissing(null);
    invite.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      setMissing('Enter the email address of the person to invite.');
      return;
    }
    invite.mutate(
      { email: email.trim(), role },
      {
        onSuccess: (invitation) => {
          toast.success('Invitation sent', `${invitation.email} can join ${organizationName} for the next 7 days.`);
          close();
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={invite.isPending}
      title="Invite a member"
      description={`They get an email with a link to join ${organizationName}.`}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={invite.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="invite-member" loading={invite.isPending}>
            Send invitation
          </Button>
        </>
      }
    >
      <form ref={formRef} id="invite-member" onSubmit={submit} noValidate className="space-y-5">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Email"
          name="email"
          type="email"
          inputMode="email"
          autoComplete="off"
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setMissing(null);
            errors.edited('email');
          }}
          error={missing ?? errors.fields.email}
          placeholder="name@company.com"
          data-autofocus
        />
        <Select
          label="Role"
          name="role"
          value={role}
          onChange={(event) => {
            setRole(event.target.value as Role);
            errors.edited('role');
          }}
          options={roles.map((value) => ({ value, label: ROLE_LABELS[value] }))}
          error={errors.fields.role}
          hint={ROLE_DESCRIPTIONS[role]}
        />
      </form>
    </Dialog>
  );
}
