import { useRef, useState, type FormEvent } from 'react';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { Alert, Button, Dialog, Input } from '../ui/index.ts';
import { useCreateOrganization } from './useSwitchOrganization.ts';

const FIELDS = ['name'] as const;
const CODE_TO_FIELD = { invalid_name: 'name', slug_taken: 'name' } as const;

/** A new organization of the signed-in person, who becomes its owner and switches to it. */
export function CreateOrganizationDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const create = useCreateOrganization();
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  useFocusFirstInvalid(formRef, create.error ?? missing);

  const close = () => {
    setName('');
    setMissing(null);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) {
      setMissing('Name the organization.');
      return;
    }
    create.mutate(name.trim(), { onSuccess: close });
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={create.isPending}
      title="Create an organization"
      description="A separate workspace with its own contacts, campaigns, domains, team and plan. You become its owner."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="create-organization" loading={create.isPending}>
            Create organization
          </Button>
        </>
      }
    >
      <form ref={formRef} id="create-organization" onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Organization name"
          name="name"
          autoComplete="organization"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            setMissing(null);
            errors.edited('name');
          }}
          error={missing ?? errors.fields.name}
          data-autofocus
        />
      </form>
    </Dialog>
  );
}
