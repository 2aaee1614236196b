import { useEffect, useState, type FormEvent } from 'react';
import { CONTACT_STATUSES, type ContactFilters, type ContactStatus, type Group } from '../../../api/contacts.ts';
import { describeError } from '../../../api/errors.ts';
import { downloadExport, type ExportFormat, type ExportScope } from '../../../api/imports.ts';
import type { Segment } from '../../../api/segments.ts';
import { Alert, Button, Dialog, Select, useToast } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { STATUS_LABELS } from '../common.tsx';

type ScopeKind = 'all' | 'group' | 'segment' | 'status';

function initialScope(filters: ContactFilters): { kind: ScopeKind; id: string } {
  if (filters.segment_id) return { kind: 'segment', id: String(filters.segment_id) };
  if (filters.group_id) return { kind: 'group', id: String(filters.group_id) };
  if (filters.status) return { kind: 'status', id: filters.status };
  return { kind: 'all', id: '' };
}

function Choice({
  name,
  value,
  checked,
  onChange,
  title,
  hint,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: () => void;
  title: string;
  hint: string;
}) {
  return (
    <label
      className={cn(
        'flex cursor-pointer gap-3 rounded-lg border px-3.5 py-3 text-sm transition-colors has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
        checked ? 'border-indigo-300 bg-indigo-50/60' : 'border-slate-200 hover:bg-slate-50',
      )}
    >
      <input type="radio" name={name} value={value} checked={checked} onChange={onChange} className="mt-0.5 size-4 accent-indigo-600" />
      <span>
        <span className="block font-medium text-slate-900">{title}</span>
        <span className="block text-slate-500">{hint}</span>
      </span>
    </label>
  );
}

/** Downloads all contacts, a group, a segment or a status as CSV or Excel. */
export function ExportDialog({
  open,
  onClose,
  groups,
  segments,
  initial,
}: {
  open: boolean;
  onClose: () => void;
  groups: readonly Group[];
  segments: readonly Segment[];
  initial: ContactFilters;
}) {
  const [format, setFormat] = useState<ExportFormat>('csv');
  const [scope, setScope] = useState(() => initialScope(initial));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const toast = useToast();

  useEffect(() => {
    if (open) {
      setScope(initialScope(initial));
      setError(null);
    }
    // The current filters are the starting point each time the dialog opens.
  }, [open]); // eslint-disable-line react-hooks/exhaustive-deps

  const choose = (kind: ScopeKind) => {
    const first = kind === 'group' ? groups[0]?.id : kind === 'segment' ? segments[0]?.id : undefined;
    setScope({ kind, id: kind === 'status' ? 'subscribed' : first !== undefined ? String(first) : '' });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const query: ExportScope = {};
    if (scope.kind === 'group') query.group_id = Number(scope.id);
    if (scope.kind === 'segment') query.segment_id = Number(scope.id);
    if (scope.kind === 'status') query.status = scope.id as ContactStatus;
    setBusy(true);
    setError(null);
    try {
      const name = await downloadExport(format, query);
      toast.success('Export downloaded', name);
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  const invalid = (scope.kind === 'group' || scope.kind === 'segment') && !scope.id;

  return (
    <Dialog
      open={open}
      onClose={onClose}
      busy={busy}
      title="Export contacts"
      description="Every column: address, names, status, consent, dates (UTC), groups and your custom fields."
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button type="submit" form="export-contacts" loading={busy} disabled={invalid}>
            Download
          </Button>
        </>
      }
    >
      <form id="export-contacts" onSubmit={submit} className="space-y-5">
        {error !== null && <Alert title="The export failed">{describeError(error)}</Alert>}
        <fieldset className="space-y-2">
          <legend className="mb-2 text-sm font-medium text-slate-800">Which contacts</legend>
          <Choice
            name="scope"
            value="all"
            checked={scope.kind === 'all'}
            onChange={() => choose('all')}
            title="All contacts"
            hint="Everyone in the organization."
          />
          <Choice
            name="scope"
            value="group"
            checked={scope.kind === 'group'}
            onChange={() => choose('group')}
            title="A group"
            hint="The members of one group."
          />
          {scope.kind === 'group' && (
            <Select
              label="Group"
              value={scope.id}
              onChange={(event) => setScope({ kind: 'group', id: event.target.value })}
              options={
                groups.length
                  ? groups.map((group) => ({ value: String(group.id), label: group.name }))
                  : [{ value: '', label: 'No groups yet' }]
              }
              containerClassName="pl-7"
            />
          )}
          <Choice
            name="scope"
            value="segment"
            checked={scope.kind === 'segment'}
            onChange={() => choose('segment')}
            title="A segment"
            hint="Whoever matches a segment's rules now."
          />
          {scope.kind === 'segment' && (
            <Select
              label="Segment"
              value={scope.id}
              onChange={(event) => setScope({ kind: 'segment', id: event.target.value })}
              options={
                segments.length
                  ? segments.map((segment) => ({ value: String(segment.id), label: segment.name }))
                  : [{ value: '', label: 'No segments yet' }]
              }
              containerClassName="pl-7"
            />
          )}
          <Choice
            name="scope"
            value="status"
            checked={scope.kind === 'status'}
            onChange={() => choose('status')}
            title="By status"
            hint="For example everyone who unsubscribed."
          />
          {scope.kind === 'status' && (
            <Select
              label="Status"
              value={scope.id}
              onChange={(event) => setScope({ kind: 'status', id: event.target.value })}
              options={CONTACT_STATUSES.map((status) => ({ value: status, label: STATUS_LABELS[status] }))}
              containerClassName="pl-7"
            />
          )}
        </fieldset>
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-slate-800">Format</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            <Choice
              name="format"
              value="csv"
              checked={format === 'csv'}
              onChange={() => setFormat('csv')}
              title="CSV"
              hint="UTF-8, for any tool."
            />
            <Choice
              name="format"
              value="xlsx"
              checked={format === 'xlsx'}
              onChange={() => setFormat('xlsx')}
              title="Excel (.xlsx)"
              hint="Numbers and dates stay typed."
            />
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}
