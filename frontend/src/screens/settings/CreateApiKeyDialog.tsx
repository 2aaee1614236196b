import { useRef, useState, type FormEvent } from 'react';
import { useCreateApiKey, type CreatedApiKey } from '../../api/accounts.ts';
import { Alert, Button, CopyButton, Dialog, Input, Select } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS, roleLabel, type Role } from '../../lib/roles.ts';

const FIELDS = ['name', 'role'] as const;
const CODE_TO_FIELD = { invalid_name: 'name', invalid_role: 'role' } as const;
const ROLE_OPTIONS = ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] }));
// Least privilege first: a new key can read, and nothing more, unless chosen otherwise.
const DEFAULT_ROLE: Role = 'analyst';

function CreatedKey({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  return (
    <Dialog
      open
      onClose={onDone}
      title="Copy your new API key"
      description={`"${created.name}" (${roleLabel(created.role)}) is ready. Copy the key now: for your security it is not shown again.`}
      footer={
        <Button onClick={onDone} data-autofocus>
          Done
        </Button>
      }
    >
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <Input
          label="API key"
          value={created.key}
          readOnly
          onFocus={(event) => event.currentTarget.select()}
          className="font-mono text-xs"
          containerClassName="flex-1 min-w-0"
          spellCheck={false}
          data-testid="created-api-key"
        />
        <CopyButton text={created.key} className="h-10" />
      </div>
      <Alert tone="warning" className="mt-4">
        Anyone with this key can act on your organization as {roleLabel(created.role).toLowerCase()}. Keep it in a
        secret store, never in source code.
      </Alert>
    </Dialog>
  );
}

/** Two steps in one dialog: choose a name and role, then see the key once. */
export function CreateApiKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>(DEFAULT_ROLE);
  const create = useCreateApiKey();
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, create.error);

  const close = () => {
    setName('');
    setRole(DEFAULT_ROLE);
    create.reset();
    onClose();
  };

  if (create.data) return <CreatedKey created={create.data} onDone={close} />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), role });
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={create.isPending}
      title="Create API key"
      description="The key acts with the permissions of the role you choose."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="create-api-key" loading={create.isPending}>
            Create key
          </Button>
        </>
      }
    >
      <form ref={formRef} id="create-api-key" onSubmit={submit} noValidate className="space-y-5">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Name"
          name="name"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            errors.edited('name');
          }}
          error={errors.fields.name}
          hint="Say where it is used, e.g. “CRM sync” or “Nightly export”."
          autoComplete="off"
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
          options={ROLE_OPTIONS}
          error={errors.fields.role}
          hint={ROLE_DESCRIPTIONS[role]}
        />
      </form>
    </Dialog>
  );
}
