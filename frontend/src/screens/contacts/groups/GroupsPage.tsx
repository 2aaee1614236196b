import { useRef, useState, type FormEvent } from 'react';
import { Link } from 'wouter';
import { useAllGroups, useCreateGroup, useDeleteGroup, useUpdateGroup, type Group } from '../../../api/contacts.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Alert, Button, Card, ConfirmDialog, DataTable, Dialog, EmptyState, Input, useToast, type Column } from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { formatDate, formatNumber } from '../../../lib/format.ts';
import { ContactsHeader } from '../ContactsHeader.tsx';

const FIELDS = ['name', 'description'] as const;
const CODE_TO_FIELD = { group_exists: 'name', invalid_name: 'name' } as const;

/** Creates a group, or renames one (`group` given). */
function GroupDialog({ open, group, onClose }: { open: boolean; group: Group | null; onClose: () => void }) {
  const [name, setName] = useState(group?.name ?? '');
  const [description, setDescription] = useState(group?.description ?? '');
  const create = useCreateGroup();
  const update = useUpdateGroup();
  const mutation = group ? update : create;
  const errors = useServerErrors(mutation.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();
  useFocusFirstInvalid(formRef, mutation.error);

  const close = () => {
    create.reset();
    update.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const input = { name: name.trim(), description: description.trim() || null };
    const onSuccess = (saved: Group) => {
      toast.success(group ? 'Group saved' : 'Group created', saved.name);
      close();
    };
    if (group) update.mutate({ id: group.id, ...input }, { onSuccess });
    else create.mutate(input, { onSuccess });
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={mutation.isPending}
      title={group ? `Rename ${group.name}` : 'New group'}
      description={group ? undefined : 'A list of contacts: campaigns go to groups, and imports can fill them.'}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={mutation.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="group-form" loading={mutation.isPending}>
            {group ? 'Save' : 'Create group'}
          </Button>
        </>
      }
    >
      <form ref={formRef} id="group-form" onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Name"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            errors.edited('name');
          }}
          error={errors.fields.name}
          maxLength={200}
          autoComplete="off"
          data-autofocus
        />
        <Input
          label="Description"
          optional
          value={description}
          onChange={(event) => {
            setDescription(event.target.value);
            errors.edited('description');
          }}
          error={errors.fields.description}
          maxLength={1000}
          autoComplete="off"
        />
      </form>
    </Dialog>
  );
}

function DeleteGroupDialog({ group, onClose }: { group: Group | null; onClose: () => void }) {
  const remove = useDeleteGroup();
  const toast = useToast();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={group !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={group ? `Delete ${group.name}?` : 'Delete group?'}
      description={
        group
          ? `Its ${formatNumber(group.contact_count)} ${group.contact_count === 1 ? 'member stays a contact' : 'members stay contacts'}; only the list goes. Segments that test membership of this group stop matching it.`
          : undefined
      }
      confirmLabel="Delete group"
      onConfirm={() =>
        group &&
        remove.mutate(group.id, {
          onSuccess: () => {
            toast.success('Group deleted', group.name);
            close();
          },
        })
      }
    />
  );
}

/** /contacts/groups: the lists, their sizes, create, rename and delete. */
export default function GroupsPage() {
  const groups = useAllGroups();
  const [editing, setEditing] = useState<Group | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Group | null>(null);
  const can = useCan();
  const writable = can('contacts:write');

  const allColumns: Column<Group>[] = [
    {
      id: 'name',
      header: 'Group',
      cell: (group) => (
        <div className="min-w-0">
          <Link
            href={`?group=${group.id}`}
            className="font-medium break-words text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {group.name}
          </Link>
          {group.description && <p className="mt-0.5 text-xs text-slate-500">{group.description}</p>}
        </div>
      ),
    },
    {
      id: 'count',
      header: 'Contacts',
      className: 'whitespace-nowrap text-right tabular-nums',
      cell: (group) => formatNumber(group.contact_count),
    },
    {
      id: 'created',
      header: 'Created',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (group) => formatDate(group.created_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px text-right whitespace-nowrap',
      cell: (group) => (
        <div className="flex justify-end gap-1">
          <Button variant="ghost" size="sm" onClick={() => setEditing(group)} aria-label={`Rename ${group.name}`}>
            Rename
          </Button>
          <Button variant="danger-ghost" size="sm" onClick={() => setDeleting(group)} aria-label={`Delete ${group.name}`}>
            Delete
          </Button>
        </div>
      ),
    },
  ];

  const columns = writable ? allColumns : allColumns.filter((column) => column.id !== 'actions');
  const createButton = writable && (
    <Button onClick={() => setEditing('new')} icon={<Icon name="plus" className="size-4" />}>
      New group
    </Button>
  );

  return (
    <>
      <ContactsHeader actions={createButton || undefined} />
      <Card>
        {groups.isError ? (
          <QueryError error={groups.error} onRetry={() => void groups.refetch()} />
        ) : (
          <DataTable
            caption="Groups"
            columns={columns}
            rows={groups.data ?? []}
            rowKey={(group) => group.id}
            loading={groups.isPending}
            itemLabel={{ one: 'group', other: 'groups' }}
            empty={
              <EmptyState
                icon={<MoreIcon name="group" className="size-6" />}
                title="No groups yet"
                description="Groups are the lists campaigns are sent to. Create one here, or name one when you import a file."
                action={createButton || undefined}
              />
            }
          />
        )}
      </Card>
      {editing !== null && <GroupDialog open group={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <DeleteGroupDialog group={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
