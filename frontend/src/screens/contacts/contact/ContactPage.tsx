import { useMemo, useRef, useState, type FormEvent } from 'react';
import {
  CONTACT_STATUSES,
  useAllGroups,
  useContact,
  useFields,
  useUpdateContact,
  type Contact,
  type ContactInput,
  type ContactStatus,
} from '../../../api/contacts.ts';
import { ApiError, NotFoundError, describeError } from '../../../api/errors.ts';
import { downloadContactData } from '../../../api/imports.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { PageSkeleton } from '../../../components/PageSkeleton.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardFooter,
  CardHeader,
  EmptyState,
  Input,
  Select,
  Skeleton,
  useToast,
} from '../../../components/ui/index.ts';
import { useFocusFirstInvalid } from '../../../lib/forms.ts';
import { formatDateTime } from '../../../lib/format.ts';
import { BackLink, ContactStatusBadge, STATUS_HINTS, STATUS_LABELS, fullName } from '../common.tsx';
import { ActivityTimeline } from './ActivityTimeline.tsx';
import { AttributeInput, attributeChanges, attributeText } from './AttributeInput.tsx';
import { RemoveContactDialog } from './RemoveContactDialog.tsx';

const SOURCE_LABELS: Record<string, string> = {
  api: 'Added through the API',
  cli: 'Added from the command line',
  import: 'Imported from a file',
};

/** The field a service error is about (`details.field`: `email`, `attributes.plan`). */
function errorField(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  const field = error.details['field'];
  if (typeof field === 'string') return field;
  const fields = Object.keys(error.fieldErrors);
  return fields[0] ?? null;
}

function ProfileForm({ contact, readOnly }: { contact: Contact; readOnly: boolean }) {
  const fields = useFields();
  const update = useUpdateContact(contact.id);
  const toast = useToast();
  const formRef = useRef<HTMLFormElement>(null);
  const [email, setEmail] = useState(contact.email);
  const [firstName, setFirstName] = useState(contact.first_name ?? '');
  const [lastName, setLastName] = useState(contact.last_name ?? '');
  const [status, setStatus] = useState<ContactStatus>(contact.status);
  const [attributes, setAttributes] = useState<Record<string, string>>({});
  const [editedSinceError, setEditedSinceError] = useState<string | null>(null);
  useFocusFirstInvalid(formRef, update.error);

  const definitions = fields.data ?? [];
  const changes: ContactInput = {};
  if (email.trim() !== contact.email) changes.email = email.trim();
  if ((firstName.trim() || null) !== contact.first_name) changes.first_name = firstName.trim() || null;
  if ((lastName.trim() || null) !== contact.last_name) changes.last_name = lastName.trim() || null;
  if (status !== contact.status) changes.status = status;
  const attributeDiff = attributeChanges(definitions, contact.attributes, attributes);
  if (Object.keys(attributeDiff).length > 0) changes.attributes = attributeDiff;
  const dirty = Object.keys(changes).length > 0;

  const failedField = update.error && editedSinceError !== errorField(update.error) ? errorField(update.error) : null;
  const fieldError = (name: string) => (failedField === name && update.error ? describeError(update.error) : undefined);
  const formError = update.error && !failedField && editedSinceError === null ? describeError(update.error) : null;
  const edited = (name: string) => {
    if (update.error && errorField(update.error) === name) setEditedSinceError(name);
  };

  const reset = () => {
    setEmail(contact.email);
    setFirstName(contact.first_name ?? '');
    setLastName(contact.last_name ?? '');
    setStatus(contact.status);
    setAttributes({});
    update.reset();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!dirty) return;
    setEditedSinceError(null);
    update.mutate(changes, {
      onSuccess: (saved) => {
        setEmail(saved.email);
        setAttributes({});
        toast.success('Contact saved', saved.email);
      },
    });
  };

  const orphans = Object.keys(contact.attributes).filter((name) => !definitions.some((field) => field.name === name));

  return (
    <Card aria-labelledby="profile-title">
      <form ref={formRef} onSubmit={submit} noValidate>
        <CardHeader titleId="profile-title" title="Profile" description="What campaigns can use to personalise messages." />
        <fieldset disabled={readOnly} className="contents">
          <CardBody className="space-y-5">
            {formError && <Alert>{formError}</Alert>}
            <Input
              label="Email"
              type="email"
              value={email}
              onChange={(event) => {
                setEmail(event.target.value);
                edited('email');
              }}
              error={fieldError('email')}
              autoComplete="off"
              spellCheck={false}
            />
            <div className="grid gap-5 sm:grid-cols-2">
              <Input
                label="First name"
                optional
                value={firstName}
                onChange={(event) => {
                  setFirstName(event.target.value);
                  edited('first_name');
                }}
                error={fieldError('first_name')}
                autoComplete="off"
              />
              <Input
                label="Last name"
                optional
                value={lastName}
                onChange={(event) => {
                  setLastName(event.target.value);
                  edited('last_name');
                }}
                error={fieldError('last_name')}
                autoComplete="off"
              />
            </div>
            <Select
              label="Status"
              value={status}
              onChange={(event) => {
                setStatus(event.target.value as ContactStatus);
                edited('status');
              }}
              options={CONTACT_STATUSES.map((value) => ({ value, label: STATUS_LABELS[value] }))}
              hint={
                status === 'subscribed' && contact.status !== 'subscribed'
                  ? 'Resubscribe only someone who asked for it again: sending to people who left harms your reputation with mail providers.'
                  : STATUS_HINTS[status]
              }
              error={fieldError('status')}
            />
            <div className="border-t border-slate-200 pt-5">
              <h3 className="text-sm font-semibold text-slate-900">Custom fields</h3>
              {fields.isPending ? (
                <div className="mt-3 space-y-3">
                  <Skeleton className="h-10 w-full" />
                  <Skeleton className="h-10 w-full" />
                </div>
              ) : fields.isError ? (
                <p className="mt-2 text-sm text-rose-700">{describeError(fields.error)}</p>
              ) : definitions.length === 0 ? (
                <p className="mt-1 text-sm text-slate-500">
                  No custom fields yet. Define them under Custom fields, or let an import create them from its columns.
                </p>
              ) : (
                <div className="mt-3 grid gap-5 sm:grid-cols-2">
                  {definitions.map((field) => (
                    <AttributeInput
                      key={field.id}
                      field={field}
                      value={attributes[field.name] ?? attributeText(contact.attributes[field.name])}
                      onChange={(text) => {
                        setAttributes((current) => ({ ...current, [field.name]: text }));
                        edited(`attributes.${field.name}`);
                      }}
                      error={fieldError(`attributes.${field.name}`)}
                    />
                  ))}
                </div>
              )}
              {orphans.length > 0 && (
                <p className="mt-3 text-sm text-slate-500">
                  Also stored: {orphans.map((name) => `${name} = ${attributeText(contact.attributes[name])}`).join(', ')}
                </p>
              )}
            </div>
          </CardBody>
        </fieldset>
        {!readOnly && (
          <CardFooter>
            {dirty && <p className="mr-auto text-sm text-slate-500">Unsaved changes</p>}
            <Button variant="secondary" onClick={reset} disabled={!dirty || update.isPending}>
              Discard
            </Button>
            <Button type="submit" loading={update.isPending} disabled={!dirty}>
              Save changes
            </Button>
          </CardFooter>
        )}
      </form>
    </Card>
  );
}

function GroupsCard({ contact, readOnly }: { contact: Contact; readOnly: boolean }) {
  const groups = useAllGroups();
  const update = useUpdateContact(contact.id);
  const toast = useToast();
  const member = useMemo(() => new Set(contact.group_ids), [contact.group_ids]);

  const toggle = (id: number, name: string) => {
    const next = member.has(id) ? contact.group_ids.filter((groupId) => groupId !== id) : [...contact.group_ids, id];
    update.mutate(
      { group_ids: next },
      {
        onSuccess: () => toast.success(member.has(id) ? `Removed from ${name}` : `Added to ${name}`),
        onError: (error) => toast.error('Groups were not changed', describeError(error)),
      },
    );
  };

  return (
    <Card aria-labelledby="groups-title">
      <CardHeader
        titleId="groups-title"
        title="Groups"
        description={`Member of ${contact.group_ids.length} ${contact.group_ids.length === 1 ? 'group' : 'groups'}.`}
      />
      <CardBody>
        {groups.isPending ? (
          <Skeleton className="h-20 w-full" />
        ) : groups.isError ? (
          <QueryError error={groups.error} onRetry={() => void groups.refetch()} />
        ) : groups.data.length === 0 ? (
          <p className="text-sm text-slate-500">No groups yet. Create one under Groups to organise contacts into lists.</p>
        ) : (
          <fieldset disabled={update.isPending || readOnly}>
            <legend className="sr-only">Groups of {contact.email}</legend>
            <ul className="max-h-72 space-y-1 overflow-y-auto">
              {groups.data.map((group) => (
                <li key={group.id}>
                  <label className="flex cursor-pointer items-center gap-3 rounded-md px-2 py-1.5 text-sm text-slate-800 hover:bg-slate-50">
                    <input
                      type="checkbox"
                      checked={member.has(group.id)}
                      onChange={() => toggle(group.id, group.name)}
                      className="size-4 rounded accent-indigo-600"
                    />
                    <span className="min-w-0 flex-1 truncate">{group.name}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
      </CardBody>
    </Card>
  );
}

function RecordCard({ contact }: { contact: Contact }) {
  const rows: [string, string][] = [
    ['Source', (contact.source && SOURCE_LABELS[contact.source]) || contact.source || '—'],
    ['Added', formatDateTime(contact.created_at)],
    ['Last changed', formatDateTime(contact.updated_at)],
    ['Consent given', formatDateTime(contact.consent_at)],
    ['Consent from IP', contact.consent_ip || '—'],
  ];
  return (
    <Card aria-labelledby="record-title">
      <CardHeader titleId="record-title" title="Record" />
      <CardBody>
        <dl className="space-y-3 text-sm">
          {rows.map(([label, value]) => (
            <div key={label} className="flex justify-between gap-4">
              <dt className="shrink-0 text-slate-500">{label}</dt>
              <dd className="min-w-0 text-right break-words text-slate-900">{value}</dd>
            </div>
          ))}
        </dl>
      </CardBody>
    </Card>
  );
}

function ContactDetails({ contact }: { contact: Contact }) {
  const toast = useToast();
  const can = useCan();
  const writable = can('contacts:write');
  const [removing, setRemoving] = useState(false);
  const [exporting, setExporting] = useState(false);
  const name = fullName(contact);

  const exportData = async () => {
    setExporting(true);
    try {
      const file = await downloadContactData(contact);
      toast.success('Data exported', file);
    } catch (error) {
      toast.error('The export failed', describeError(error));
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <BackLink to="">All contacts</BackLink>
      <PageHeader
        title={contact.email}
        documentTitle={`${contact.email} · Contacts`}
        description={
          <span className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <ContactStatusBadge status={contact.status} />
            <span>{name || 'No name'}</span>
          </span>
        }
        actions={
          <>
            {can('contacts:export') && (
              <Button
                variant="secondary"
                onClick={() => void exportData()}
                loading={exporting}
                icon={<MoreIcon name="download" className="size-4" />}
              >
                Export data
              </Button>
            )}
            {writable && (
              <Button variant="danger-ghost" onClick={() => setRemoving(true)} icon={<Icon name="trash" className="size-4" />}>
                Remove
              </Button>
            )}
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <ProfileForm contact={contact} readOnly={!writable} />
          <ActivityTimeline contactId={contact.id} />
        </div>
        <div className="space-y-6">
          <GroupsCard contact={contact} readOnly={!writable} />
          <RecordCard contact={contact} />
        </div>
      </div>
      <RemoveContactDialog contact={removing ? contact : null} onClose={() => setRemoving(false)} />
    </>
  );
}

/** /contacts/:id: a contact's profile, custom fields, activity, groups and record. */
export default function ContactPage({ id }: { id: number }) {
  const contact = useContact(id);
  if (contact.isPending) return <PageSkeleton />;
  if (contact.isError) {
    return (
      <>
        <BackLink to="">All contacts</BackLink>
        <Card>
          {contact.error instanceof NotFoundError ? (
            <EmptyState
              icon={<Icon name="contacts" className="size-6" />}
              title="This contact is not in your organization"
              description="It may have been deleted, or the link may belong to another organization."
            />
          ) : (
            <QueryError error={contact.error} onRetry={() => void contact.refetch()} />
          )}
        </Card>
      </>
    );
  }
  return <ContactDetails contact={contact.data} />;
}
