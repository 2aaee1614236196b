import { useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useCreateContact, type Group } from '../../../api/contacts.ts';
import { Alert, Button, Dialog, Input, Select, useToast } from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';

const FIELDS = ['email', 'first_name', 'last_name', 'group_ids'] as const;
const CODE_TO_FIELD = { invalid_email: 'email', contact_exists: 'email' } as const;

/** Adds one contact (subscribed) and opens its page. */
export function AddContactDialog({ open, onClose, groups }: { open: boolean; onClose: () => void; groups: readonly Group[] }) {
  const [email, setEmail] = useState('');
  const [firstName, setFirstName] = useState('');
  const [lastName, setLastName] = useState('');
  const [groupId, setGroupId] = useState('');
  const create = useCreateContact();
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();
  const [, navigate] = useLocation();
  useFocusFirstInvalid(formRef, create.error);

  const close = () => {
    setEmail('');
    setFirstName('');
    setLastName('');
    setGroupId('');
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        email: email.trim(),
        first_name: firstName.trim() || null,
        last_name: lastName.trim() || null,
        ...(groupId ? { group_ids: [Number(groupId)] } : {}),
      },
      {
        onSuccess: (contact) => {
          toast.success('Contact added', contact.email);
          close();
          navigate(`/${contact.id}`);
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={create.isPending}
      title="Add a contact"
      description="They are added as subscribed. Only add people who agreed to hear from you."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="add-contact" loading={create.isPending}>
            Add contact
          </Button>
        </>
      }
    >
      <form ref={formRef} id="add-contact" onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Email"
          type="email"
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            errors.edited('email');
          }}
          error={errors.fields.email}
          autoComplete="off"
          spellCheck={false}
          required
          data-autofocus
        />
        <div className="grid gap-4 sm:grid-cols-2">
          <Input
            label="First name"
            optional
            value={firstName}
            onChange={(event) => {
              setFirstName(event.target.value);
              errors.edited('first_name');
            }}
            error={errors.fields.first_name}
            autoComplete="off"
          />
          <Input
            label="Last name"
            optional
            value={lastName}
            onChange={(event) => {
              setLastName(event.target.value);
              errors.edited('last_name');
            }}
            error={errors.fields.last_name}
            autoComplete="off"
          />
        </div>
        {groups.length > 0 && (
          <Select
            label="Add to group"
            value={groupId}
            onChange={(event) => setGroupId(event.target.value)}
            options={[{ value: '', label: 'No group' }, ...groups.map((group) => ({ value: String(group.id), label: group.name }))]}
            error={errors.fields.group_ids}
          />
        )}
      </form>
    </Dialog>
  );
}
