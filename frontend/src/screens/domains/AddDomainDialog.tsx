import { useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useCreateDomain, type DomainProvider } from '../../api/domains.ts';
import { Alert, Button, Dialog, Input, Select, useToast } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';

const FIELDS = ['name', 'provider'] as const;
const CODE_TO_FIELD = {
  invalid_domain: 'name',
  domain_exists: 'name',
  domain_taken: 'name',
  invalid_provider: 'provider',
} as const;

type ProviderChoice = '' | DomainProvider;
const PROVIDERS: { value: ProviderChoice; label: string; hint: string }[] = [
  {
    value: '',
    label: 'As this server sends mail (recommended)',
    hint: 'The records match how this EngageX installation delivers mail.',
  },
  {
    value: 'smtp',
    label: 'EngageX signs (own DKIM key)',
    hint: 'EngageX generates a DKIM key for the domain and signs every message itself.',
  },
  {
    value: 'sendgrid',
    label: 'SendGrid signs (two CNAME records)',
    hint: 'For mail delivered through SendGrid: DKIM points at SendGrid’s keys.',
  },
];

/** Adds a domain and opens its page, where the records to publish are listed. */
export function AddDomainDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [name, setName] = useState('');
  const [provider, setProvider] = useState<ProviderChoice>('');
  const create = useCreateDomain();
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const [, navigate] = useLocation();
  const toast = useToast();
  useFocusFirstInvalid(formRef, create.error);

  const close = () => {
    setName('');
    setProvider('');
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), ...(provider ? { provider } : {}) },
      {
        onSuccess: (domain) => {
          toast.success(`${domain.name} added`, 'Publish its DNS records, then verify.');
          close();
          navigate(`/${domain.id}`);
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={create.isPending}
      title="Add a sending domain"
      description="The domain of the addresses your campaigns come from, e.g. example.com for news@example.com."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="add-domain" loading={create.isPending}>
            Add domain
          </Button>
        </>
      }
    >
      <form ref={formRef} id="add-domain" onSubmit={submit} noValidate className="space-y-5">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Domain"
          name="name"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            errors.edited('name');
          }}
          error={errors.fields.name}
          placeholder="example.com"
          hint="A subdomain such as mail.example.com works too, and keeps your main domain’s records untouched."
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          inputMode="url"
          data-autofocus
        />
        <Select
          label="Signing"
          name="provider"
          value={provider}
          onChange={(event) => {
            setProvider(event.target.value as ProviderChoice);
            errors.edited('provider');
          }}
          options={PROVIDERS}
          error={errors.fields.provider}
          hint={PROVIDERS.find((option) => option.value === provider)?.hint}
        />
      </form>
    </Dialog>
  );
}
