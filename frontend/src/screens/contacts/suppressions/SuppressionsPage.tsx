import { useRef, useState, type FormEvent } from 'react';
import { useAddSuppression, useRemoveSuppression, useSuppressions, type Suppression, type SuppressionKind } from '../../../api/segments.ts';
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
import { useDebouncedValue } from '../../../components/useDebouncedValue.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { formatDate } from '../../../lib/format.ts';
import { Toolbar } from '../common.tsx';
import { ContactsHeader } from '../ContactsHeader.tsx';

const REASON_LABELS: Record<Suppression['reason'], string> = {
  manual: 'Added by hand',
  import: 'From an import',
  bounce: 'Bounced',
  complaint: 'Spam complaint',
  unsubscribe: 'Unsubscribed',
};

const FIELDS = ['value', 'note'] as const;
const CODE_TO_FIELD = { already_suppressed: 'value', invalid_email: 'value', invalid_value: 'value', invalid_domain: 'value' } as const;

function AddSuppressionDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const add = useAddSuppression();
  const errors = useServerErrors(add.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();
  useFocusFirstInvalid(formRef, add.error);

  const close = () => {
    setValue('');
    setNote('');
    add.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { value: value.trim(), note: note.trim() || null },
      {
        onSuccess: (entry) => {
          toast.success(entry.kind === 'domain' ? 'Domain suppressed' : 'Address suppressed', entry.value);
          close();
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      busy={add.isPending}
      title="Suppress an address or domain"
      description="Nothing is ever sent to it again, whatever a contact's status, until you remove it here."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={add.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="add-suppression" loading={add.isPending}>
            Suppress
          </Button>
        </>
      }
    >
      <form ref={formRef} id="add-suppression" onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Address or domain"
          value={value}
          onChange={(event) => {
            setValue(event.target.value);
            errors.edited('value');
          }}
          error={errors.fields.value}
          placeholder="name@example.com or example.com"
          hint="A domain suppresses every address at it."
          autoComplete="off"
          spellCheck={false}
          data-autofocus
        />
        <Input
          label="Note"
          optional
          value={note}
          onChange={(event) => {
            setNote(event.target.value);
            errors.edited('note');
          }}
          error={errors.fields.note}
          maxLength={500}
          placeholder="Why, for the next person who looks"
        />
      </form>
    </Dialog>
  );
}

function RemoveSuppressionDialog({ entry, onClose }: { entry: Suppression | null; onClose: () => void }) {
  const remove = useRemoveSuppression();
  const toast = useToast();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={entry !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={entry ? `Stop suppressing ${entry.value}?` : 'Remove suppression?'}
      description={
        entry?.reason === 'complaint' || entry?.reason === 'bounce'
          ? 'This entry came from a bounce or a spam complaint: sending there again can hurt your delivery. Contacts keep their own status either way.'
          : 'Mail can reach it again. Contacts keep their own status: an unsubscribed contact stays unsubscribed.'
      }
      confirmLabel="Remove"
      onConfirm={() =>
        entry &&
        remove.mutate(entry.id, {
          onSuccess: () => {
            toast.success('Suppression removed', entry.value);
            close();
          },
        })
      }
    />
  );
}

/** /contacts/suppressions: addresses and domains never sent to; search, add, remove. */
export default function SuppressionsPage() {
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<SuppressionKind | ''>('');
  const q = useDebouncedValue(query.trim(), 300);
  const list = useSuppressions({ ...(q ? { q } : {}), ...(kind ? { kind } : {}) });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Suppression | null>(null);
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];
  const writable = useCan()('contacts:write');

  const allColumns: Column<Suppression>[] = [
    {
      id: 'value',
      header: 'Address or domain',
      cell: (entry) => (
        <div className="min-w-0">
          <p className="font-medium break-all text-slate-900">{entry.value}</p>
          {entry.note && <p className="mt-0.5 text-xs text-slate-500">{entry.note}</p>}
        </div>
      ),
    },
    {
      id: 'kind',
      header: 'Kind',
      className: 'hidden sm:table-cell',
      cell: (entry) => <Badge tone={entry.kind === 'domain' ? 'brand' : 'neutral'}>{entry.kind === 'domain' ? 'Domain' : 'Address'}</Badge>,
    },
    {
      id: 'reason',
      header: 'Reason',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (entry) => REASON_LABELS[entry.reason] ?? entry.reason,
    },
    { id: 'added', header: 'Added', className: 'hidden md:table-cell whitespace-nowrap', cell: (entry) => formatDate(entry.created_at) },
    {
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px text-right',
      cell: (entry) => (
        <Button variant="danger-ghost" size="sm" onClick={() => setRemoving(entry)} aria-label={`Remove ${entry.value}`}>
          Remove
        </Button>
      ),
    },
  ];

  const columns = writable ? allColumns : allColumns.filter((column) => column.id !== 'actions');
  const addButton = writable && (
    <Button onClick={() => setAdding(true)} icon={<Icon name="plus" className="size-4" />}>
      Suppress
    </Button>
  );
  const filtered = Boolean(q || kind);

  return (
    <>
      <ContactsHeader actions={addButton || undefined} />
      <Card>
        <Toolbar>
          <Input
            label="Search"
            type="search"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="Address or domain"
            containerClassName="col-span-2 sm:w-64"
          />
          <Select
            label="Kind"
            value={kind}
            onChange={(event) => setKind(event.target.value as SuppressionKind | '')}
            options={[
              { value: '', label: 'Addresses and domains' },
              { value: 'email', label: 'Addresses' },
              { value: 'domain', label: 'Domains' },
            ]}
            containerClassName="col-span-2 sm:w-52"
          />
        </Toolbar>
        {list.isError ? (
          <QueryError error={list.error} onRetry={() => void list.refetch()} />
        ) : (
          <DataTable
            caption="Suppressed addresses and domains"
            columns={columns}
            rows={rows}
            rowKey={(entry) => entry.id}
            loading={list.isPending}
            hasMore={list.hasNextPage}
            onLoadMore={() => void list.fetchNextPage()}
            loadingMore={list.isFetchingNextPage}
            itemLabel={{ one: 'entry', other: 'entries' }}
            empty={
              <EmptyState
                icon={<MoreIcon name="ban" className="size-6" />}
                title={filtered ? 'Nothing matches' : 'Nothing is suppressed'}
                description={
                  filtered
                    ? 'No suppressed address or domain matches this search.'
                    : 'Bounces, spam complaints and unsubscribes land here automatically. Add addresses or domains that must never receive mail.'
                }
                action={filtered ? undefined : addButton || undefined}
              />
            }
          />
        )}
      </Card>
      <AddSuppressionDialog open={adding} onClose={() => setAdding(false)} />
      <RemoveSuppressionDialog entry={removing} onClose={() => setRemoving(null)} />
    </>
  );
}
