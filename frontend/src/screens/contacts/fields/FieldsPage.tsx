import { useRef, useState, type FormEvent } from 'react';
import {
  FIELD_TYPES,
  useCreateField,
  useDeleteField,
  useFields,
  useUpdateField,
  type ContactField,
  type FieldType,
} from '../../../api/contacts.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import {
  Alert,
  Badge,
  Button,
  Card,
  ConfirmDialog,
  DataTable,
  Dialog,
  EmptyState,
  Input,
  Select,
  useToast,
  type Column,
} from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { formatDate } from '../../../lib/format.ts';
import { ContactsHeader } from '../ContactsHeader.tsx';

export const TYPE_LABELS: Record<FieldType, string> = { text: 'Text', number: 'Number', date: 'Date', boolean: 'Yes / no' };
const TYPE_HINTS: Record<FieldType, string> = {
  text: 'Any text, such as a city or a plan name.',
  number: 'Whole or decimal numbers; segments can compare them (greater than, between).',
  date: 'A calendar date (YYYY-MM-DD); segments can ask for "in the last 30 days".',
  boolean: 'Yes or no, such as "VIP".',
};

const FIELDS = ['name', 'label', 'type'] as const;
const CODE_TO_FIELD = { field_exists: 'name', invalid_name: 'name', invalid_field_type: 'type' } as const;

/** A suggested field name for a label: "Signup date" -> "signup_date". */
export function nameFromLabel(label: string): string {
  const name = label
    .trim()
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 63);
  return name && !/^[a-z]/.test(name) ? `f_${name}`.slice(0, 63) : name;
}

function FieldDialog({ field, onClose }: { field: ContactField | null; onClose: () => void }) {
  const [label, setLabel] = useState(field?.label ?? '');
  const [name, setName] = useState(field?.name ?? '');
  const [nameTouched, setNameTouched] = useState(field !== null);
  const [type, setType] = useState<FieldType>(field?.type ?? 'text');
  const create = useCreateField();
  const update = useUpdateField();
  const mutation = field ? update : create;
  const errors = useServerErrors(mutation.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();
  useFocusFirstInvalid(formRef, mutation.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (field) {
      update.mutate(
        { id: field.id, label: label.trim() || null },
        { onSuccess: () => (toast.success('Field saved', field.name), onClose()) },
      );
    } else {
      create.mutate(
        { name: name.trim(), label: label.trim() || null, type },
        { onSuccess: (saved) => (toast.success('Field created', saved.name), onClose()) },
      );
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      busy={mutation.isPending}
      title={field ? `Edit ${field.name}` : 'New custom field'}
      description={
        field
          ? 'The name and type of a field are fixed; its label can change.'
          : 'Contacts can then carry a value for it; imports fill it from the column of the same name.'
      }
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={mutation.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="field-form" loading={mutation.isPending}>
            {field ? 'Save' : 'Create field'}
          </Button>
        </>
      }
    >
      <form ref={formRef} id="field-form" onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Label"
          value={label}
          onChange={(event) => {
            setLabel(event.target.value);
            if (!nameTouched) setName(nameFromLabel(event.target.value));
            errors.edited('label');
          }}
          error={errors.fields.label}
          placeholder="Signup date"
          maxLength={200}
          autoComplete="off"
          data-autofocus
        />
        <Input
          label="Name"
          value={name}
          readOnly={field !== null}
          onChange={(event) => {
            setName(event.target.value);
            setNameTouched(true);
            errors.edited('name');
          }}
          error={errors.fields.name}
          hint="How templates and the API refer to it, e.g. {{ attributes.signup_date }}: lower-case letters, digits and _."
          className="font-mono"
          autoComplete="off"
          spellCheck={false}
        />
        <Select
          label="Type"
          value={type}
          disabled={field !== null}
          onChange={(event) => {
            setType(event.target.value as FieldType);
            errors.edited('type');
          }}
          options={FIELD_TYPES.map((value) => ({ value, label: TYPE_LABELS[value] }))}
          hint={TYPE_HINTS[type]}
          error={errors.fields.type}
        />
      </form>
    </Dialog>
  );
}

function DeleteFieldDialog({ field, onClose }: { field: ContactField | null; onClose: () => void }) {
  const remove = useDeleteField();
  const toast = useToast();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={field !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={field ? `Delete ${field.name}?` : 'Delete field?'}
      description="Its value is removed from every contact. A segment that uses the field must be changed first."
      confirmLabel="Delete field"
      onConfirm={() => field && remove.mutate(field.id, { onSuccess: () => (toast.success('Field deleted', field.name), close()) })}
    />
  );
}

/** /contacts/fields: the custom field definitions that type attributes, imports and segments. */
export default function FieldsPage() {
  const fields = useFields();
  const [editing, setEditing] = useState<ContactField | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ContactField | null>(null);
  const writable = useCan()('contacts:write');

  const allColumns: Column<ContactField>[] = [
    {
      id: 'label',
      header: 'Field',
      cell: (field) => (
        <div>
          <p className="font-medium text-slate-900">{field.label || field.name}</p>
          <p className="font-mono text-xs text-slate-500">attributes.{field.name}</p>
        </div>
      ),
    },
    { id: 'type', header: 'Type', cell: (field) => <Badge>{TYPE_LABELS[field.type] ?? field.type}</Badge> },
    {
      id: 'created',
      header: 'Created',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (field) => formatDate(field.created_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px whitespace-nowrap text-right',
      cell: (field) => (
        <div className="flex justify-end gap-1">
          <Button variant="ghost" size="sm" onClick={() => setEditing(field)} aria-label={`Edit ${field.name}`}>
            Edit
          </Button>
          <Button variant="danger-ghost" size="sm" onClick={() => setDeleting(field)} aria-label={`Delete ${field.name}`}>
            Delete
          </Button>
        </div>
      ),
    },
  ];
  const columns = writable ? allColumns : allColumns.filter((column) => column.id !== 'actions');
  const addButton = writable && (
    <Button onClick={() => setEditing('new')} icon={<Icon name="plus" className="size-4" />}>
      New field
    </Button>
  );

  return (
    <>
      <ContactsHeader actions={addButton || undefined} />
      <Card>
        {fields.isError ? (
          <QueryError error={fields.error} onRetry={() => void fields.refetch()} />
        ) : (
          <DataTable
            caption="Custom fields"
            columns={columns}
            rows={fields.data ?? []}
            rowKey={(field) => field.id}
            loading={fields.isPending}
            empty={
              <EmptyState
                icon={<MoreIcon name="field" className="size-6" />}
                title="No custom fields yet"
                description="Add fields such as plan, city or signup date, or let an import create them from its columns."
                action={addButton || undefined}
              />
            }
          />
        )}
      </Card>
      {editing !== null && <FieldDialog field={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <DeleteFieldDialog field={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
