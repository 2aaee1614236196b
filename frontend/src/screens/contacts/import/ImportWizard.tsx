import { useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { useAllGroups, useFields } from '../../../api/contacts.ts';
import { describeError } from '../../../api/errors.ts';
import { useStartImport, type ImportMode } from '../../../api/imports.ts';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { Alert, Button, Card, CardBody, CardFooter, Input, Select, Spinner } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { BackLink } from '../common.tsx';
import type { FilePreview } from './csv.ts';
import { mappingPayload, planColumns, planProblems, type Overrides } from './mapping.ts';
import { MappingStep } from './MappingStep.tsx';
import { ACCEPTED, MAX_UPLOAD_BYTES, formatBytes, previewFile } from './readFile.ts';

type Step = 'file' | 'columns' | 'options';
const STEPS: { id: Step; label: string }[] = [
  { id: 'file', label: 'Choose a file' },
  { id: 'columns', label: 'Match columns' },
  { id: 'options', label: 'Options and import' },
];

const MODES: { value: ImportMode; title: string; hint: string }[] = [
  { value: 'upsert', title: 'Add new contacts and update existing ones', hint: 'Recommended. Empty cells never erase what is stored.' },
  { value: 'create', title: 'Only add new contacts', hint: 'Addresses already in your contacts are skipped and left as they are.' },
  { value: 'update', title: 'Only update existing contacts', hint: 'Addresses not in your contacts yet are skipped.' },
];

type GroupChoice = 'none' | 'existing' | 'new';

function StepList({ current }: { current: Step }) {
  const index = STEPS.findIndex((step) => step.id === current);
  return (
    <ol className="mb-6 flex flex-wrap items-center gap-x-2 gap-y-2 text-sm" aria-label="Import steps">
      {STEPS.map((step, position) => {
        const done = position < index;
        const active = position === index;
        return (
          <li key={step.id} className="flex items-center gap-2" aria-current={active ? 'step' : undefined}>
            <span
              className={cn(
                'flex size-6 items-center justify-center rounded-full text-xs font-semibold',
                active ? 'bg-indigo-600 text-white' : done ? 'bg-indigo-100 text-indigo-700' : 'bg-slate-200 text-slate-600',
              )}
              aria-hidden="true"
            >
              {position + 1}
            </span>
            <span className={cn('font-medium', active ? 'text-slate-900' : 'text-slate-500')}>
              {step.label}
              {done && <span className="sr-only"> (done)</span>}
            </span>
            {position < STEPS.length - 1 && <span className="mx-1 h-px w-6 bg-slate-300 sm:w-10" aria-hidden="true" />}
          </li>
        );
      })}
    </ol>
  );
}

function Choice({
  checked,
  onChange,
  title,
  hint,
  name,
  value,
}: {
  checked: boolean;
  onChange: () => void;
  title: string;
  hint: string;
  name: string;
  value: string;
}) {
  return (
    <label
      className={cn(
        'flex cursor-pointer gap-3 rounded-lg border px-4 py-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
        checked ? 'border-indigo-300 bg-indigo-50/60' : 'border-slate-200 bg-white hover:bg-slate-50',
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

/** /contacts/import: choose a file, match its columns, choose options, start the import. */
export default function ImportWizard() {
  const [, navigate] = useLocation();
  const fields = useFields();
  const groups = useAllGroups();
  const start = useStartImport();
  const input = useRef<HTMLInputElement>(null);
  const [step, setStep] = useState<Step>('file');
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<FilePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [overrides, setOverrides] = useState<Overrides>({});
  const [createFields, setCreateFields] = useState(false);
  const [mode, setMode] = useState<ImportMode>('upsert');
  const [groupChoice, setGroupChoice] = useState<GroupChoice>('none');
  const [groupId, setGroupId] = useState('');
  const [groupName, setGroupName] = useState('');

  // Each step starts at its heading, for keyboard and screen reader users.
  const stepHeading = useRef<HTMLHeadingElement>(null);
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    stepHeading.current?.focus();
  }, [step]);
  const stepIndex = STEPS.findIndex((candidate) => candidate.id === step);
  const heading = (
    <h2 ref={stepHeading} tabIndex={-1} className="sr-only">
      Step {stepIndex + 1} of {STEPS.length}: {STEPS[stepIndex]!.label}
    </h2>
  );

  const definitions = useMemo(() => fields.data ?? [], [fields.data]);
  const plan = useMemo(
    () => (preview ? planColumns(preview.headers, overrides, definitions, createFields) : []),
    [preview, overrides, definitions, createFields],
  );
  const problems = preview ? planProblems(plan) : [];

  const choose = async (chosen: File | undefined, sheet?: string) => {
    if (!chosen) return;
    setPreviewError(null);
    if (chosen.size > MAX_UPLOAD_BYTES) {
      setPreviewError(
        `This file is ${formatBytes(chosen.size)}; files up to ${formatBytes(MAX_UPLOAD_BYTES)} can be imported. Split it into several files.`,
      );
      return;
    }
    setFile(chosen);
    setReading(true);
    try {
      const read = await previewFile(chosen, sheet);
      setPreview(read);
      if (!sheet) setOverrides({});
    } catch (error) {
      setPreview(null);
      setPreviewError(error instanceof Error ? error.message : 'This file could not be read.');
    } finally {
      setReading(false);
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void choose(event.dataTransfer.files[0]);
  };

  const groupReady = groupChoice === 'none' || (groupChoice === 'existing' ? Boolean(groupId) : groupName.trim().length > 0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file || !preview || problems.length > 0 || !groupReady) return;
    start.mutate(
      {
        file,
        mode,
        mapping: mappingPayload(plan),
        create_fields: createFields,
        ...(preview.sheet ? { sheet: preview.sheet } : {}),
        ...(groupChoice === 'existing' ? { group_id: Number(groupId) } : {}),
        ...(groupChoice === 'new' ? { group: groupName.trim() } : {}),
      },
      { onSuccess: (record) => navigate(`/imports/${record.id}`) },
    );
  };

  const newFields = plan.filter((column) => column.target.kind === 'new').length;
  const imported = plan.filter((column) => column.target.kind !== 'ignored').length;

  return (
    <>
      <BackLink to="">All contacts</BackLink>
      <PageHeader
        title="Import contacts"
        documentTitle="Import · Contacts"
        description="From a CSV or Excel file with one contact per row and a header row naming the columns. Nothing changes until the last step; the whole file is applied, or none of it."
      />
      <StepList current={step} />

      {step === 'file' && (
        <Card>
          {heading}
          <CardBody className="space-y-4">
            <div
              onDragOver={(event) => {
                event.preventDefault();
                setDragging(true);
              }}
              onDragLeave={() => setDragging(false)}
              onDrop={onDrop}
              className={cn(
                'flex flex-col items-center rounded-xl border-2 border-dashed px-6 py-10 text-center transition-colors',
                dragging ? 'border-indigo-400 bg-indigo-50' : 'border-slate-300 bg-slate-50/60',
              )}
            >
              <span className="flex size-12 items-center justify-center rounded-full bg-indigo-50 text-indigo-600" aria-hidden="true">
                {reading ? <Spinner className="size-6" /> : <MoreIcon name="upload" className="size-6" />}
              </span>
              <p className="mt-4 text-sm font-medium text-slate-900">Drop a file here, or</p>
              <Button variant="secondary" className="mt-2" onClick={() => input.current?.click()} disabled={reading}>
                Choose a file…
              </Button>
              <input
                ref={input}
                type="file"
                accept={ACCEPTED}
                className="sr-only"
                aria-label="File to import"
                onChange={(event) => {
                  void choose(event.target.files?.[0]);
                  event.target.value = '';
                }}
              />
              <p className="mt-3 max-w-md text-xs text-slate-500">
                CSV (comma, semicolon, tab or pipe; UTF-8, UTF-16 or Windows encodings) or Excel .xlsx. Columns such as Email, E-mail, First
                name, Vorname or Surname are recognised.
              </p>
            </div>
            {previewError && <Alert title="This file cannot be imported">{previewError}</Alert>}
            {file && preview && !previewError && (
              <div className="flex flex-wrap items-center justify-between gap-3 rounded-lg border border-slate-200 bg-white px-4 py-3">
                <div className="flex min-w-0 items-center gap-3">
                  <MoreIcon name="file" className="size-6 text-slate-400" />
                  <div className="min-w-0">
                    <p className="truncate text-sm font-medium text-slate-900" data-testid="chosen-file">
                      {file.name}
                    </p>
                    <p className="text-xs text-slate-500">
                      {formatBytes(file.size)} · {preview.headers.length} columns
                    </p>
                  </div>
                </div>
              </div>
            )}
          </CardBody>
          <CardFooter>
            <Button onClick={() => setStep('columns')} disabled={!preview || reading}>
              Next: match columns
            </Button>
          </CardFooter>
        </Card>
      )}

      {step === 'columns' && preview && (
        <Card>
          {heading}
          <CardBody>
            {fields.isError && <Alert className="mb-4">Custom fields could not be loaded: {describeError(fields.error)}</Alert>}
            <MappingStep
              preview={preview}
              plan={plan}
              fields={definitions}
              onOverride={(index, value) =>
                setOverrides((current) => {
                  const next = { ...current };
                  if (value === 'ignore') delete next[index];
                  else next[index] = value;
                  return next;
                })
              }
              createFields={createFields}
              onCreateFields={setCreateFields}
              problems={problems}
              sheetPicker={
                preview.sheets && preview.sheets.length > 1 ? (
                  <Select
                    label="Sheet"
                    value={preview.sheet ?? ''}
                    onChange={(event) => void choose(file ?? undefined, event.target.value)}
                    options={preview.sheets.map((name) => ({ value: name, label: name }))}
                    containerClassName="w-56"
                  />
                ) : undefined
              }
            />
          </CardBody>
          <CardFooter>
            <Button variant="secondary" onClick={() => setStep('file')}>
              Back
            </Button>
            <Button onClick={() => setStep('options')} disabled={problems.length > 0}>
              Next: options
            </Button>
          </CardFooter>
        </Card>
      )}

      {step === 'options' && preview && file && (
        <Card>
          {heading}
          <form onSubmit={submit}>
            <CardBody className="space-y-6">
              {start.isError && <Alert title="The import did not start">{describeError(start.error)}</Alert>}
              <fieldset className="space-y-2">
                <legend className="mb-2 text-sm font-semibold text-slate-900">Contacts already in your list</legend>
                {MODES.map((option) => (
                  <Choice
                    key={option.value}
                    name="mode"
                    value={option.value}
                    checked={mode === option.value}
                    onChange={() => setMode(option.value)}
                    title={option.title}
                    hint={option.hint}
                  />
                ))}
              </fieldset>
              <fieldset className="space-y-2">
                <legend className="mb-2 text-sm font-semibold text-slate-900">Group</legend>
                <Choice
                  name="group"
                  value="none"
                  checked={groupChoice === 'none'}
                  onChange={() => setGroupChoice('none')}
                  title="Don’t add to a group"
                  hint="The contacts are only added to your contacts."
                />
                <Choice
                  name="group"
                  value="existing"
                  checked={groupChoice === 'existing'}
                  onChange={() => {
                    setGroupChoice('existing');
                    if (!groupId && groups.data?.[0]) setGroupId(String(groups.data[0].id));
                  }}
                  title="Add to an existing group"
                  hint="Every imported contact becomes a member."
                />
                {groupChoice === 'existing' && (
                  <Select
                    label="Group"
                    value={groupId}
                    onChange={(event) => setGroupId(event.target.value)}
                    options={
                      groups.data?.length
                        ? groups.data.map((group) => ({ value: String(group.id), label: group.name }))
                        : [{ value: '', label: 'No groups yet' }]
                    }
                    containerClassName="pl-7 sm:w-96"
                  />
                )}
                <Choice
                  name="group"
                  value="new"
                  checked={groupChoice === 'new'}
                  onChange={() => setGroupChoice('new')}
                  title="Add to a new group"
                  hint="Created with the import, e.g. “Trade fair 2026”."
                />
                {groupChoice === 'new' && (
                  <Input
                    label="New group’s name"
                    value={groupName}
                    onChange={(event) => setGroupName(event.target.value)}
                    maxLength={200}
                    containerClassName="pl-7 sm:w-96"
                  />
                )}
              </fieldset>
              <div className="rounded-lg bg-slate-50 px-4 py-3 text-sm text-slate-600">
                <p className="font-medium text-slate-900">{file.name}</p>
                <p>
                  {imported} {imported === 1 ? 'column' : 'columns'} imported
                  {newFields > 0 ? `, ${newFields} new ${newFields === 1 ? 'field' : 'fields'} created` : ''}. Rows that cannot be imported
                  are reported with the reason and can be downloaded.
                </p>
              </div>
            </CardBody>
            <CardFooter>
              <Button variant="secondary" onClick={() => setStep('columns')} disabled={start.isPending}>
                Back
              </Button>
              <Button type="submit" loading={start.isPending} disabled={!groupReady} icon={<MoreIcon name="upload" className="size-4" />}>
                Import contacts
              </Button>
            </CardFooter>
          </form>
        </Card>
      )}
    </>
  );
}
