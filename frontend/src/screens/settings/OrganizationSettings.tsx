import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useOrganization, useUpdateOrganization, type Organization, type OrganizationUpdate } from '../../api/accounts.ts';
import { useCan } from '../../auth/viewer.tsx';
import { PageSkeleton } from '../../components/PageSkeleton.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Alert, Button, Card, CardBody, CardFooter, CardHeader, Input, Select, useToast } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';

const FIELDS = ['name', 'default_from_name', 'default_from_email', 'timezone'] as const;
type FieldName = (typeof FIELDS)[number];
type Values = Record<FieldName, string>;

// Service-level validation errors name no field; their codes do.
const CODE_TO_FIELD: Partial<Record<string, FieldName>> = {
  invalid_name: 'name',
  invalid_email: 'default_from_email',
  invalid_timezone: 'timezone',
};

function toValues(org: Organization): Values {
  return {
    name: org.name,
    default_from_name: org.default_from_name ?? '',
    default_from_email: org.default_from_email ?? '',
    timezone: org.timezone,
  };
}

/** Only what changed; an emptied optional field is sent as null (cleared). */
function changes(initial: Values, values: Values): OrganizationUpdate {
  const result: OrganizationUpdate = {};
  for (const field of FIELDS) {
    if (values[field] === initial[field]) continue;
    if (field === 'default_from_name' || field === 'default_from_email') {
      result[field] = values[field].trim() || null;
    } else {
      result[field] = values[field];
    }
  }
  return result;
}

function timeZones(current: string): { value: string; label: string }[] {
  const zones = new Set<string>(
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [],
  );
  zones.add('UTC');
  zones.add(current);
  return [...zones].sort().map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }));
}

function OrganizationForm({ organization, readOnly }: { organization: Organization; readOnly: boolean }) {
  const [initial, setInitial] = useState(() => toValues(organization));
  const [values, setValues] = useState(initial);
  const update = useUpdateOrganization();
  const toast = useToast();
  const formRef = useRef<HTMLFormElement>(null);
  const zones = useMemo(() => timeZones(initial.timezone), [initial.timezone]);
  const errors = useServerErrors(update.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, update.error);
  const pending = changes(initial, values);
  const dirty = Object.keys(pending).length > 0;

  const set = (field: FieldName) => (event: { target: { value: string } }) => {
    setValues((current) => ({ ...current, [field]: event.target.value }));
    errors.edited(field);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!dirty) return;
    update.mutate(pending, {
      onSuccess: (saved) => {
        const next = toValues(saved);
        setInitial(next);
        setValues(next);
        toast.success('Organization updated', `Saved the settings of ${saved.name}.`);
      },
    });
  };

  const discard = () => {
    setValues(initial);
    update.reset();
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="org-settings-title">
      <Card>
        <CardHeader
          titleId="org-settings-title"
          title="Organization"
          description="How your organization appears in EngageX and the defaults new campaigns start from."
        />
        <CardBody className="space-y-6">
          {readOnly && (
            <Alert tone="info">Only owners and admins change these settings. Your role lets you see them.</Alert>
          )}
          {errors.form && (
            <Alert title="The changes were not saved">
              <span className="whitespace-pre-line">{errors.form}</span>
            </Alert>
          )}
          <div className="grid gap-6 sm:grid-cols-2">
            <Input
              label="Organization name"
              name="name"
              value={values.name}
              onChange={set('name')}
              error={errors.fields.name}
              autoComplete="organization"
              readOnly={readOnly}
            />
            <Input
              label="Slug"
              name="slug"
              value={organization.slug}
              readOnly
              hint={
                <>
                  Identifies the organization on the command line (
                  <code className="text-slate-700">--org {organization.slug}</code>); it cannot be changed.
                </>
              }
            />
          </div>
          <div className="border-t border-slate-100 pt-6">
            <h3 className="text-sm font-semibold text-slate-900">Default sender</h3>
            <p className="mt-0.5 text-sm text-slate-500">New campaigns are sent from this name and address unless you change them.</p>
            <div className="mt-4 grid gap-6 sm:grid-cols-2">
              <Input
                label="Sender name"
                name="default_from_name"
                value={values.default_from_name}
                onChange={set('default_from_name')}
                error={errors.fields.default_from_name}
                readOnly={readOnly}
                optional
                placeholder="Acme Newsletter"
              />
              <Input
                label="Sender email"
                name="default_from_email"
                type="email"
                inputMode="email"
                value={values.default_from_email}
                onChange={set('default_from_email')}
                error={errors.fields.default_from_email}
                readOnly={readOnly}
                optional
                placeholder="news@acme.com"
                hint="Use an address on a domain you will verify."
              />
            </div>
          </div>
          <div className="grid gap-6 border-t border-slate-100 pt-6 sm:grid-cols-2">
            <Select
              label="Time zone"
              name="timezone"
              value={values.timezone}
              onChange={set('timezone')}
              options={zones}
              disabled={readOnly}
              error={errors.fields.timezone}
              hint="Schedules and reports use this time zone."
            />
          </div>
        </CardBody>
        {!readOnly && (
          <CardFooter>
            {dirty && (
              <Button variant="secondary" onClick={discard} disabled={update.isPending}>
                Discard
              </Button>
            )}
            <Button type="submit" disabled={!dirty} loading={update.isPending}>
              Save changes
            </Button>
          </CardFooter>
        )}
      </Card>
    </form>
  );
}

export function OrganizationSettings() {
  const organization = useOrganization();
  const readOnly = !useCan()('org:manage');
  if (organization.isPending) return <PageSkeleton />;
  if (organization.isError) {
    return (
      <Card>
        <QueryError error={organization.error} onRetry={() => void organization.refetch()} />
      </Card>
    );
  }
  return <OrganizationForm organization={organization.data} readOnly={readOnly} />;
}
