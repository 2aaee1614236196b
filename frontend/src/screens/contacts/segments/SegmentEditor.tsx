import { useMemo, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { useAllGroups, useFields } from '../../../api/contacts.ts';
import { ApiError, NotFoundError, describeError } from '../../../api/errors.ts';
import {
  useDeleteSegment,
  useSaveSegment,
  useSegment,
  useSegmentCount,
  useSegmentPreview,
  type Segment,
  type SegmentDefinition,
} from '../../../api/segments.ts';
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
  CardHeader,
  ConfirmDialog,
  EmptyState,
  Input,
  Skeleton,
  Spinner,
  useToast,
} from '../../../components/ui/index.ts';
import { useDebouncedValue } from '../../../components/useDebouncedValue.ts';
import { formatNumber } from '../../../lib/format.ts';
import { BackLink, ContactStatusBadge, fullName } from '../common.tsx';
import { RuleBuilder } from './RuleBuilder.tsx';
import {
  buildDefinition,
  countConditions,
  fieldOptions,
  nodeForPath,
  treeFromDefinition,
  type ConditionNode,
  type GroupNode,
  type RuleNode,
} from './rules.ts';

/** The live count follows the rules once editing pauses for this long. */
export const COUNT_DEBOUNCE_MS = 400;

function conditionsOf(node: RuleNode): ConditionNode[] {
  if (node.kind === 'condition') return [node];
  if (node.kind === 'group') return node.children.flatMap(conditionsOf);
  return [];
}

/** The error path and reason of a refused definition (`invalid_segment`), if that is what `error` is. */
function segmentError(error: unknown): { path: string; reason: string } | null {
  if (error instanceof ApiError && error.code === 'invalid_segment') {
    const path = error.details['path'];
    const reason = error.details['reason'];
    if (typeof path === 'string' && typeof reason === 'string') return { path, reason };
  }
  return null;
}

function LiveCount({ definition, pending, savedId }: { definition: SegmentDefinition | null; pending: boolean; savedId: number | null }) {
  const count = useSegmentCount(definition);
  const preview = useSegmentPreview(definition);
  const contacts = preview.data?.items ?? [];
  const refused = segmentError(count.error);
  return (
    <Card aria-labelledby="matching-title" className="lg:sticky lg:top-20">
      <CardHeader titleId="matching-title" title="Matching contacts" description="Counted live as you edit, among all live contacts." />
      <CardBody className="space-y-4">
        <div className="flex items-center gap-3" role="status" aria-live="polite">
          {definition === null ? (
            <p className="text-sm text-slate-500">Complete the highlighted conditions to see who matches.</p>
          ) : count.isError && !refused ? (
            <p className="text-sm text-rose-700">{describeError(count.error)}</p>
          ) : refused ? (
            <p className="text-sm text-rose-700">These rules are not valid yet: {refused.reason}</p>
          ) : count.data === undefined ? (
            <Skeleton className="h-9 w-24" />
          ) : (
            <p>
              <span className="text-3xl font-semibold text-slate-900 tabular-nums" data-testid="segment-count">
                {formatNumber(count.data.count)}
              </span>{' '}
              <span className="text-sm text-slate-600">{count.data.count === 1 ? 'contact' : 'contacts'}</span>
            </p>
          )}
          {(pending || count.isFetching) && definition !== null && !refused && <Spinner className="size-4 text-slate-400" />}
        </div>
        {definition !== null && !count.isError && (
          <div>
            <h3 className="text-xs font-medium tracking-wide text-slate-500 uppercase">Newest matches</h3>
            {preview.isPending ? (
              <div className="mt-2 space-y-2">
                <Skeleton className="h-4 w-full" />
                <Skeleton className="h-4 w-3/4" />
              </div>
            ) : contacts.length === 0 ? (
              <p className="mt-2 text-sm text-slate-500">Nobody matches these rules.</p>
            ) : (
              <ul className="mt-2 divide-y divide-slate-100" data-testid="segment-preview">
                {contacts.map((contact) => (
                  <li key={contact.id} className="flex items-center justify-between gap-2 py-2">
                    <div className="min-w-0">
                      <Link
                        href={`/${contact.id}`}
                        className="block truncate text-sm font-medium text-slate-900 hover:text-indigo-700 hover:underline"
                      >
                        {contact.email}
                      </Link>
                      {fullName(contact) && <p className="truncate text-xs text-slate-500">{fullName(contact)}</p>}
                    </div>
                    <ContactStatusBadge status={contact.status} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {savedId !== null && (
          <Link
            href={`?segment=${savedId}`}
            className="inline-flex items-center gap-1.5 text-sm font-medium text-indigo-700 hover:text-indigo-900"
          >
            Open the saved segment in Contacts
            <Icon name="arrowLeft" className="size-4 rotate-180" />
          </Link>
        )}
      </CardBody>
    </Card>
  );
}

function DeleteSegmentDialog({ segment, open, onClose }: { segment: Segment; open: boolean; onClose: () => void }) {
  const remove = useDeleteSegment();
  const toast = useToast();
  const [, navigate] = useLocation();
  const close = () => {
    remove.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={open}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={`Delete ${segment.name}?`}
      description="The contacts stay; only the saved rules go. Campaigns already sent keep their recipients."
      confirmLabel="Delete segment"
      onConfirm={() =>
        remove.mutate(segment.id, {
          onSuccess: () => {
            toast.success('Segment deleted', segment.name);
            close();
            navigate('/segments');
          },
        })
      }
    />
  );
}

function Editor({ segment }: { segment: Segment | null }) {
  const fields = useFields();
  const groups = useAllGroups();
  const save = useSaveSegment(segment?.id ?? null);
  const toast = useToast();
  const [, navigate] = useLocation();
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [root, setRoot] = useState<GroupNode>(() => treeFromDefinition(segment?.definition));
  const [attempted, setAttempted] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  const writable = useCan()('contacts:write');

  const options = useMemo(() => fieldOptions(fields.data ?? []), [fields.data]);
  const types = useMemo(() => new Map(options.map((option) => [option.value, option.type] as const)), [options]);
  // Until the custom fields are known, conditions on them cannot be typed: wait.
  const built = useMemo(() => buildDefinition(root, types), [root, types]);
  const definitionKey = fields.isPending ? 'pending' : JSON.stringify(built.definition);
  const debouncedKey = useDebouncedValue(definitionKey, COUNT_DEBOUNCE_MS);
  const debouncedDefinition = debouncedKey === 'pending' ? null : (JSON.parse(debouncedKey) as SegmentDefinition | null);

  // Problems of conditions shown: once someone typed into them, or after a save attempt.
  const problems: Record<string, string> = {};
  for (const condition of conditionsOf(root)) {
    const problem = built.problems[condition.id];
    if (problem && (attempted || condition.value.trim() || condition.value2.trim() || condition.values.length))
      problems[condition.id] = problem;
  }
  // The server's verdict on the rules (a count or a save refused) lands on the row it names.
  const liveCount = useSegmentCount(debouncedDefinition);
  const refused = segmentError(save.error);
  for (const verdict of [refused, debouncedKey === definitionKey ? segmentError(liveCount.error) : null]) {
    if (!verdict) continue;
    const node = nodeForPath(built.paths, verdict.path);
    if (node && !problems[node]) problems[node] = verdict.reason;
  }
  const nameError =
    save.error instanceof ApiError && (save.error.code === 'segment_exists' || save.error.fieldErrors['name'])
      ? (save.error.fieldErrors['name']?.[0] ?? save.error.message)
      : attempted && !name.trim()
        ? 'Give the segment a name.'
        : undefined;
  const otherError = save.error && !refused && !nameError ? describeError(save.error) : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (!name.trim()) {
      nameRef.current?.focus();
      return;
    }
    if (built.definition === null) return;
    if (countConditions(root) === 0) return;
    save.mutate(
      { name: name.trim(), description: description.trim() || null, definition: built.definition },
      {
        onSuccess: (saved) => {
          toast.success(segment ? 'Segment saved' : 'Segment created', saved.name);
          if (!segment) navigate(`/segments/${saved.id}`, { replace: true });
        },
      },
    );
  };

  const empty = countConditions(root) === 0;
  return (
    <form onSubmit={submit} noValidate>
      <BackLink to="/segments">All segments</BackLink>
      <PageHeader
        title={segment ? segment.name : 'New segment'}
        documentTitle={`${segment ? segment.name : 'New segment'} · Segments`}
        description="Rules over contact fields, custom fields and groups. A segment is evaluated when it is used, so it always holds whoever matches now."
        actions={
          writable && (
            <>
              {segment && (
                <Button variant="danger-ghost" onClick={() => setDeleting(true)} icon={<Icon name="trash" className="size-4" />}>
                  Delete
                </Button>
              )}
              <Button type="submit" loading={save.isPending} disabled={empty}>
                {segment ? 'Save segment' : 'Create segment'}
              </Button>
            </>
          )
        }
      />
      {otherError && <Alert className="mb-4">{otherError}</Alert>}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card>
            <CardBody className="grid gap-4 sm:grid-cols-2">
              <Input
                ref={nameRef}
                label="Name"
                value={name}
                onChange={(event) => setName(event.target.value)}
                error={nameError}
                maxLength={200}
                placeholder="Engaged pro customers"
                autoComplete="off"
              />
              <Input
                label="Description"
                optional
                value={description}
                onChange={(event) => setDescription(event.target.value)}
                maxLength={1000}
                autoComplete="off"
              />
            </CardBody>
          </Card>
          <Card aria-labelledby="rules-title">
            <CardHeader
              titleId="rules-title"
              title="Rules"
              description="Choose a field, how to compare it, and the value. Groups combine conditions with any, all or none."
            />
            <CardBody>
              {fields.isError && <Alert className="mb-3">Custom fields could not be loaded: {describeError(fields.error)}</Alert>}
              <RuleBuilder root={root} onChange={setRoot} fields={options} groups={groups.data ?? []} problems={problems} />
              {attempted && empty && <p className="mt-3 text-sm text-rose-600">Add at least one condition.</p>}
            </CardBody>
          </Card>
        </div>
        <div>
          <LiveCount definition={debouncedDefinition} pending={debouncedKey !== definitionKey} savedId={segment?.id ?? null} />
        </div>
      </div>
      {segment && <DeleteSegmentDialog segment={segment} open={deleting} onClose={() => setDeleting(false)} />}
    </form>
  );
}

/** /contacts/segments/new and /contacts/segments/:id: the rule builder with a live count. */
export default function SegmentEditor({ id }: { id: number | null }) {
  const segment = useSegment(id);
  if (id === null) return <Editor segment={null} />;
  if (segment.isPending) return <PageSkeleton />;
  if (segment.isError) {
    return (
      <>
        <BackLink to="/segments">All segments</BackLink>
        <Card>
          {segment.error instanceof NotFoundError ? (
            <EmptyState
              icon={<MoreIcon name="segment" className="size-6" />}
              title="This segment is not in your organization"
              description="It may have been deleted."
            />
          ) : (
            <QueryError error={segment.error} onRetry={() => void segment.refetch()} />
          )}
        </Card>
      </>
    );
  }
  return <Editor key={segment.data.id} segment={segment.data} />;
}
