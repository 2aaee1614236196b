import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type RefObject } from 'react';
import { useFields } from '../../../api/contacts.ts';
import { ForbiddenError, NotFoundError, describeError } from '../../../api/errors.ts';
import {
  templateProblems,
  useDraftPreview,
  useSavedPreview,
  useTemplate,
  useUpdateTemplate,
  type Recipient,
  type RenderedPreview,
  type Revision,
  type RevisionSummary,
  type Template,
} from '../../../api/templates.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { PageSkeleton } from '../../../components/PageSkeleton.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Alert, Badge, Button, Card, CardBody, CardHeader, EmptyState, Skeleton, useToast } from '../../../components/ui/index.ts';
import { useDebouncedValue } from '../../../components/useDebouncedValue.ts';
import { cn } from '../../../lib/cn.ts';
import { useServerErrors } from '../../../lib/forms.ts';
import { BLANK_MJML } from '../blanks.ts';
import { BackLink } from '../common.tsx';
import { DeleteTemplateDialog } from '../DeleteTemplateDialog.tsx';
import type { CodeEditorHandle } from './CodeEditor.tsx';
import {
  FIELD_NAMES,
  changes,
  draftFromRevision,
  draftFromTemplate,
  isDirty,
  placeProblems,
  previewRequest,
  type Draft,
  type LineProblem,
  type SourceMode,
} from './draft.ts';
import { MessageCard, SAVE_FIELDS } from './MessageCard.tsx';
import { PreviewPane, type PreviewAs, type PreviewPart } from './PreviewPane.tsx';
import type { PreviewWidth } from './PreviewFrame.tsx';
import { RevisionsDialog } from './RevisionsDialog.tsx';
import { TestSendDialog } from './TestSendDialog.tsx';
import { VariablesPanel, snippetFor, variableGroups, variableNames } from './VariablesPanel.tsx';

// CodeMirror is most of this screen's code: it loads after the page appears.
const CodeEditor = lazy(() => import('./CodeEditor.tsx'));

/** The live preview follows the content once typing pauses for this long. */
export const PREVIEW_DEBOUNCE_MS = 500;

const SAVE_CODES = { duplicate_name: 'name', template_exists: 'name', invalid_email: 'from_email', invalid_name: 'name' } as const;

type InsertTarget = 'body' | 'text' | 'subject' | 'preheader';

function ProblemList({ problems, onGoTo }: { problems: readonly LineProblem[]; onGoTo: (line: number) => void }) {
  if (problems.length === 0) return null;
  return (
    <ul className="mt-3 space-y-1.5" aria-label="Errors in the source">
      {problems.map((problem, index) => (
        <li key={index} className="flex items-start gap-2 text-sm text-rose-700">
          <button
            type="button"
            onClick={() => onGoTo(problem.line)}
            className="shrink-0 rounded bg-rose-50 px-1.5 py-0.5 font-mono text-xs font-medium text-rose-700 ring-1 ring-rose-200 hover:bg-rose-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Line {problem.line}
          </button>
          <span className="break-words">{problem.message}</span>
        </li>
      ))}
    </ul>
  );
}

function insertInto(input: HTMLInputElement | null, value: string, snippet: string): { value: string; caret: number } {
  const start = input?.selectionStart ?? value.length;
  const end = input?.selectionEnd ?? value.length;
  return { value: value.slice(0, start) + snippet + value.slice(end), caret: start + snippet.length };
}

function Editor({ template }: { template: Template }) {
  const toast = useToast();
  const fields = useFields();
  const update = useUpdateTemplate(template.id);
  const [saved, setSaved] = useState<Draft>(() => draftFromTemplate(template));
  const [draft, setDraft] = useState<Draft>(saved);
  const [tab, setTab] = useState<'body' | 'text'>('body');
  const [width, setWidth] = useState<PreviewWidth>('desktop');
  const [part, setPart] = useState<PreviewPart>('html');
  const [previewAs, setPreviewAs] = useState<PreviewAs>({ kind: 'sample' });
  const [revisionPreview, setRevisionPreview] = useState<RevisionSummary | null>(null);
  const [showRevisions, setShowRevisions] = useState(false);
  const [testing, setTesting] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const canWrite = useCan()('templates:write');
  const [forbidden, setForbidden] = useState(false);
  const readOnly = forbidden || !canWrite;
  const [lastGood, setLastGood] = useState<RenderedPreview | undefined>(undefined);
  const insertTarget = useRef<InsertTarget>('body');
  const bodyEditor = useRef<CodeEditorHandle>(null);
  const textEditor = useRef<CodeEditorHandle>(null);
  const subjectInput = useRef<HTMLInputElement>(null);
  const preheaderInput = useRef<HTMLInputElement>(null);

  const dirty = isDirty(saved, draft);
  const set = useCallback((patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch })), []);

  const recipient: Recipient = useMemo(() => (previewAs.kind === 'contact' ? { contact_id: previewAs.id } : {}), [previewAs]);
  const requestKey = JSON.stringify(previewRequest(draft, recipient));
  const debouncedKey = useDebouncedValue(requestKey, PREVIEW_DEBOUNCE_MS);
  const draftPreview = useDraftPreview(readOnly ? null : JSON.parse(debouncedKey));
  const savedPreview = useSavedPreview(template.id, revisionPreview?.id ?? null, recipient, readOnly || revisionPreview !== null);

  useEffect(() => {
    if (draftPreview.error instanceof ForbiddenError) setForbidden(true);
  }, [draftPreview.error]);
  useEffect(() => {
    if (draftPreview.data && !draftPreview.isPlaceholderData) setLastGood(draftPreview.data);
  }, [draftPreview.data, draftPreview.isPlaceholderData]);

  // Problems of the content as typed: the live preview validates exactly what a save would.
  const previewProblems = draftPreview.isError && !draftPreview.isFetching ? templateProblems(draftPreview.error) : [];
  const saveProblems = update.isError ? templateProblems(update.error) : [];
  const problems = placeProblems(previewProblems.length > 0 ? previewProblems : saveProblems, draft);
  const saveErrors = useServerErrors(update.isError && saveProblems.length === 0 ? update.error : null, SAVE_FIELDS, SAVE_CODES);
  const previewFailure =
    draftPreview.isError && previewProblems.length === 0 && !(draftPreview.error instanceof ForbiddenError)
      ? describeError(draftPreview.error)
      : null;

  const fieldList = useMemo(() => fields.data ?? [], [fields.data]);
  const groups = useMemo(() => variableGroups(fieldList, draft.variables), [fieldList, draft.variables]);
  const names = useMemo(() => variableNames(groups), [groups]);

  const save = useCallback(
    () =>
      new Promise<boolean>((resolve) => {
        const sent = draft;
        const payload = changes(saved, sent);
        if (Object.keys(payload).length === 0) return resolve(true);
        update.mutate(payload, {
          onSuccess: (result) => {
            const next = draftFromTemplate(result);
            setSaved(next);
            // Keep what was typed while the save ran; otherwise take the server's version.
            setDraft((current) => (current === sent ? next : current));
            toast.success('Template saved', result.version > template.version ? `Version ${result.version}` : result.name);
            resolve(true);
          },
          onError: () => resolve(false),
        });
      }),
    [draft, saved, update, toast, template.version],
  );

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (dirty && !readOnly) void save();
  };

  // Ctrl/Cmd+S saves, as in any editor; leaving with unsaved changes asks first.
  const submitRef = useRef(submit);
  submitRef.current = submit;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
        event.preventDefault();
        submitRef.current();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    if (!dirty) return;
    const onUnload = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [dirty]);

  const insert = (name: string) => {
    const target = insertTarget.current;
    if (target === 'subject' || target === 'preheader') {
      const input = target === 'subject' ? subjectInput.current : preheaderInput.current;
      const next = insertInto(input, draft[target], snippetFor(name, 'line'));
      set({ [target]: next.value });
      requestAnimationFrame(() => {
        input?.focus();
        input?.setSelectionRange(next.caret, next.caret);
      });
      return;
    }
    if (target === 'text') {
      setTab('text');
      textEditor.current?.insert(snippetFor(name, 'text'));
    } else {
      setTab('body');
      bodyEditor.current?.insert(snippetFor(name, draft.mode));
    }
  };

  const switchMode = (mode: SourceMode) => {
    if (mode === draft.mode) return;
    set(mode === 'mjml' && !draft.mjml.trim() ? { mode, mjml: BLANK_MJML } : { mode });
  };

  const restore = (revision: Revision) => {
    setDraft(draftFromRevision(revision, draft.name));
    setRevisionPreview(null);
    toast.show({
      tone: 'info',
      title: `Version ${revision.number} restored into the editor`,
      description: 'Save to make it the current version.',
    });
  };

  const shown = revisionPreview || readOnly ? savedPreview.data : (draftPreview.data ?? lastGood);
  const stale = !revisionPreview && !readOnly && draftPreview.isError && lastGood !== undefined;
  const loading = revisionPreview || readOnly ? savedPreview.isFetching : draftPreview.isFetching || debouncedKey !== requestKey;
  const fromName = draft.fromName.trim() || 'Your organization';
  const fromLine = draft.fromEmail.trim() ? `${fromName} <${draft.fromEmail.trim()}>` : `${fromName} · the organization's default sender`;
  const recipientLabel = previewAs.kind === 'contact' ? previewAs.email : 'the sample person (Jane Doe)';

  const focusLine = (editor: RefObject<CodeEditorHandle | null>, which: 'body' | 'text') => (line: number) => {
    setTab(which);
    requestAnimationFrame(() => editor.current?.goToLine(line));
  };

  const tabButton = (id: 'body' | 'text', label: string, count: number) => (
    <button
      type="button"
      role="tab"
      id={`tab-${id}`}
      aria-selected={tab === id}
      aria-controls={`panel-${id}`}
      tabIndex={tab === id ? 0 : -1}
      onClick={() => setTab(id)}
      onKeyDown={(event) => {
        if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
          const next = id === 'body' ? 'text' : 'body';
          setTab(next);
          document.getElementById(`tab-${next}`)?.focus();
        }
      }}
      className={cn(
        '-mb-px flex items-center gap-1.5 border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600',
        tab === id ? 'border-indigo-600 text-indigo-700' : 'border-transparent text-slate-600 hover:text-slate-900',
      )}
    >
      {label}
      {count > 0 && <Badge tone="danger">{count}</Badge>}
    </button>
  );

  const editorFallback = <Skeleton className="h-[520px] w-full" />;
  return (
    <form onSubmit={submit} noValidate>
      <BackLink to="">All templates</BackLink>
      <PageHeader
        title={draft.name || template.name}
        documentTitle={`${template.name} · Templates`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <Badge tone="neutral">{draft.kind === 'marketing' ? 'Marketing' : 'Transactional'}</Badge>
            <Badge tone="brand">{draft.mode === 'mjml' ? 'MJML' : 'HTML'}</Badge>
            <span>Version {template.version}</span>
            {dirty && (
              <Badge tone="warning" className="gap-1">
                Unsaved changes
              </Badge>
            )}
          </span>
        }
        actions={
          <>
            <Button variant="ghost" onClick={() => setShowRevisions(true)} icon={<MoreIcon name="history" className="size-4" />}>
              Versions
            </Button>
            {!readOnly && (
              <>
                <Button variant="secondary" onClick={() => setTesting(true)} icon={<MoreIcon name="send" className="size-4" />}>
                  Send test
                </Button>
                <Button type="submit" loading={update.isPending} disabled={!dirty}>
                  Save
                </Button>
              </>
            )}
          </>
        }
      />
      {readOnly && (
        <Alert tone="info" className="mb-4">
          Your role can read this template but not change it or send tests. The preview shows the saved version.
        </Alert>
      )}
      {(saveErrors.form || (update.isError && saveProblems.length > 0 && previewProblems.length === 0)) && (
        <Alert className="mb-4" title="The template was not saved">
          {saveErrors.form ?? 'Fix the errors shown below, then save again.'}
        </Alert>
      )}
      <div className="grid gap-6 xl:grid-cols-2">
        <div className="min-w-0 space-y-6">
          <MessageCard
            draft={draft}
            set={set}
            readOnly={readOnly}
            problems={problems}
            saveErrors={saveErrors}
            subjectInput={subjectInput}
            preheaderInput={preheaderInput}
            onFocusField={(field) => (insertTarget.current = field)}
            onDelete={() => setDeleting(true)}
          />

          <Card aria-labelledby="content-title">
            <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-5 pt-3 sm:px-6">
              <h2 id="content-title" className="sr-only">
                Content
              </h2>
              <div role="tablist" aria-label="Part of the message" className="flex gap-1">
                {tabButton('body', 'Body', problems.body.length)}
                {tabButton('text', 'Plain text', problems.text.length)}
              </div>
              <fieldset className="mb-2 inline-flex rounded-lg bg-slate-100 p-0.5" disabled={readOnly}>
                <legend className="sr-only">Format of the body</legend>
                {(['html', 'mjml'] as const).map((mode) => (
                  <label
                    key={mode}
                    className={cn(
                      'cursor-pointer rounded-md px-2.5 py-1 text-sm font-medium has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
                      draft.mode === mode ? 'bg-white text-slate-900 shadow-xs' : 'text-slate-600 hover:text-slate-900',
                    )}
                  >
                    <input
                      type="radio"
                      name="source-mode"
                      value={mode}
                      checked={draft.mode === mode}
                      onChange={() => switchMode(mode)}
                      className="sr-only"
                    />
                    {mode === 'html' ? 'HTML' : 'MJML'}
                  </label>
                ))}
              </fieldset>
            </div>
            <CardBody>
              {draft.mode !== saved.mode && (
                <Alert tone="info" className="mb-3">
                  {draft.mode === 'mjml'
                    ? 'Saving in MJML replaces the HTML with the HTML compiled from the MJML.'
                    : 'Saving in HTML drops the MJML source: from then on this HTML is what you edit.'}
                </Alert>
              )}
              <div id="panel-body" role="tabpanel" aria-labelledby="tab-body" hidden={tab !== 'body'}>
                <Suspense fallback={editorFallback}>
                  <CodeEditor
                    ref={bodyEditor}
                    key={draft.mode}
                    value={draft.mode === 'mjml' ? draft.mjml : draft.html}
                    onChange={(value) => set(draft.mode === 'mjml' ? { mjml: value } : { html: value })}
                    language={draft.mode}
                    label={draft.mode === 'mjml' ? 'MJML source' : 'HTML source'}
                    problems={problems.body}
                    variables={names}
                    readOnly={readOnly}
                    onFocus={() => (insertTarget.current = 'body')}
                  />
                </Suspense>
                <ProblemList problems={problems.body} onGoTo={focusLine(bodyEditor, 'body')} />
              </div>
              <div id="panel-text" role="tabpanel" aria-labelledby="tab-text" hidden={tab !== 'text'}>
                <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
                  <p className="text-sm text-slate-500">
                    {draft.text.trim() ? 'Your own plain-text part.' : 'Empty: the plain-text part is written from the HTML when sending.'}
                  </p>
                  {!readOnly && !draft.text.trim() && lastGood && (
                    <Button variant="secondary" size="sm" onClick={() => set({ text: lastGood.text })}>
                      Start from the generated text
                    </Button>
                  )}
                  {!readOnly && draft.text.trim() && (
                    <Button variant="ghost" size="sm" onClick={() => set({ text: '' })}>
                      Generate it instead
                    </Button>
                  )}
                </div>
                <Suspense fallback={editorFallback}>
                  <CodeEditor
                    ref={textEditor}
                    value={draft.text}
                    onChange={(value) => set({ text: value })}
                    language="text"
                    label="Plain-text part"
                    problems={problems.text}
                    variables={names}
                    readOnly={readOnly}
                    placeholder="Generated from the HTML"
                    onFocus={() => (insertTarget.current = 'text')}
                    height={400}
                  />
                </Suspense>
                <ProblemList problems={problems.text} onGoTo={focusLine(textEditor, 'text')} />
              </div>
              {problems.other.length > 0 && (
                <ul className="mt-3 space-y-1.5 rounded-lg bg-rose-50 px-3 py-2.5 text-sm text-rose-800" aria-label="Other errors">
                  {problems.other.map((problem, index) => (
                    <li key={index}>
                      {problem.field && <span className="font-medium">{FIELD_NAMES[problem.field.split('.')[0]!] ?? problem.field}: </span>}
                      {problem.message}
                    </li>
                  ))}
                </ul>
              )}
              {previewFailure && <p className="mt-3 text-sm text-rose-700">The preview failed: {previewFailure}</p>}
            </CardBody>
          </Card>

          <Card aria-labelledby="variables-title">
            <CardHeader
              titleId="variables-title"
              title="Variables"
              description="Personalise with the contact's fields, your custom fields and declared variables."
            />
            <CardBody>
              <VariablesPanel
                groups={groups}
                onInsert={insert}
                variables={draft.variables}
                onVariablesChange={(variables) => set({ variables })}
                readOnly={readOnly}
                problems={problems.other.filter((problem) => problem.field.startsWith('variables')).map((problem) => problem.message)}
              />
            </CardBody>
          </Card>
        </div>

        <div className="min-w-0 xl:sticky xl:top-20 xl:self-start">
          <PreviewPane
            preview={shown}
            loading={Boolean(loading)}
            stale={stale}
            fromLine={fromLine}
            preheader={draft.preheader}
            width={width}
            onWidth={setWidth}
            part={part}
            onPart={setPart}
            previewAs={previewAs}
            onPreviewAs={setPreviewAs}
            banner={
              revisionPreview ? (
                <div className="flex items-center justify-between gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2 text-sm text-amber-900">
                  <span>Showing version {revisionPreview.number}</span>
                  <Button variant="ghost" size="sm" onClick={() => setRevisionPreview(null)}>
                    Back to your draft
                  </Button>
                </div>
              ) : undefined
            }
          />
        </div>
      </div>

      <RevisionsDialog
        open={showRevisions}
        onClose={() => setShowRevisions(false)}
        templateId={template.id}
        latest={template.version}
        onPreview={(revision) => setRevisionPreview(revision.number === template.version && !dirty ? null : revision)}
        onRestore={restore}
      />
      {testing && (
        <TestSendDialog
          open
          onClose={() => setTesting(false)}
          templateId={template.id}
          recipient={recipient}
          recipientLabel={recipientLabel}
          dirty={dirty}
          onSave={save}
          defaultAddress=""
        />
      )}
      <DeleteTemplateDialog template={deleting ? template : null} onClose={() => setDeleting(false)} />
    </form>
  );
}

/** /templates/:id: the editor with its live preview. */
export default function TemplateEditorPage({ id }: { id: number }) {
  const template = useTemplate(id);
  if (template.isPending) return <PageSkeleton />;
  if (template.isError) {
    return (
      <>
        <BackLink to="">All templates</BackLink>
        <Card>
          {template.error instanceof NotFoundError ? (
            <EmptyState
              icon={<Icon name="templates" className="size-6" />}
              title="This template is not in your organization"
              description="It may have been deleted, or the link may belong to another organization."
            />
          ) : (
            <QueryError error={template.error} onRetry={() => void template.refetch()} />
          )}
        </Card>
      </>
    );
  }
  return <Editor key={template.data.id} template={template.data} />;
}
