import { useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useCreateCampaign } from '../../api/campaigns.ts';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Alert, Button, Card, CardBody, CardFooter, EmptyState, Input } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { BackLink } from './common.tsx';
import { STEPS } from './wizard/steps.ts';

const FIELDS = ['name'] as const;
const CODE_TO_FIELD = { invalid_name: 'name' } as const;

/** /campaigns/new: name the campaign; the draft is created and the wizard opens on it. */
export function NewCampaignPage() {
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const create = useCreateCampaign();
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const [, navigate] = useLocation();
  const canWrite = useCan()('campaigns:write');
  useFocusFirstInvalid(formRef, create.error);

  const missing = touched && !name.trim() ? 'Give the campaign a name.' : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!name.trim()) {
      formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
      return;
    }
    create.mutate({ name: name.trim() }, { onSuccess: (campaign) => navigate(`/${campaign.id}/edit`, { replace: true }) });
  };

  if (!canWrite) {
    return (
      <>
        <BackLink to="">All campaigns</BackLink>
        <Card>
          <EmptyState
            icon={<Icon name="lock" className="size-6" />}
            title="Your role cannot create campaigns"
            description="Owners, admins, campaign managers and editors draft campaigns. Ask one of them, or ask an owner or admin for another role."
          />
        </Card>
      </>
    );
  }

  return (
    <>
      <BackLink to="">All campaigns</BackLink>
      <PageHeader
        title="New campaign"
        description="Start with a name. Then choose who receives it, the template and the sender; nothing is sent until you confirm on the review step."
      />
      <Card className="max-w-2xl">
        <form ref={formRef} onSubmit={submit} noValidate>
          <CardBody className="space-y-4">
            {errors.form && <Alert>{errors.form}</Alert>}
            <Input
              label="Campaign name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                errors.edited('name');
              }}
              error={missing ?? errors.fields.name}
              hint="For you and your team; recipients never see it."
              placeholder="Spring sale announcement"
              maxLength={200}
              autoComplete="off"
              autoFocus
            />
            <ol className="grid gap-2 text-sm text-slate-600 sm:grid-cols-4" aria-label="What comes next">
              {STEPS.map((step, index) => (
                <li key={step.id} className="flex items-center gap-2">
                  <span className="flex size-6 items-center justify-center rounded-full bg-slate-100 text-xs font-semibold text-slate-600" aria-hidden="true">
                    {index + 1}
                  </span>
                  {step.label}
                </li>
              ))}
            </ol>
          </CardBody>
          <CardFooter>
            <Button type="submit" loading={create.isPending}>
              Create campaign
            </Button>
          </CardFooter>
        </form>
      </Card>
    </>
  );
}
