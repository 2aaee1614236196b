import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'wouter';
import { useCreateTemplate, useStarters, useTemplates, type TemplateSummary } from '../../api/templates.ts';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import {
  Alert,
  Badge,
  Button,
  Card,
  CardBody,
  CardHeader,
  DataTable,
  Dialog,
  EmptyState,
  Input,
  useToast,
  type Column,
} from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { formatDateTime } from '../../lib/format.ts';
import { BLANK_HTML, BLANK_MJML } from './blanks.ts';
import { DeleteTemplateDialog } from './DeleteTemplateDialog.tsx';
import { StarterGallery, type StartChoice } from './StarterGallery.tsx';

const FIELDS = ['name', 'subject'] as const;
const CODE_TO_FIELD = { duplicate_name: 'name', template_exists: 'name', invalid_name: 'name' } as const;

function NewTemplateDialog({ choice, onClose }: { choice: StartChoice | null; onClose: () => void }) {
  const [name, setName] = useState(choice ? (choice.blank ? '' : choice.name) : '');
  const create = useCreateTemplate();
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();
  const [, navigate] = useLocation();
  useFocusFirstInvalid(formRef, create.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!choice) return;
    const base = { name: name.trim() };
    const input = choice.starter
      ? { ...base, starter: choice.starter }
      : choice.blank === 'mjml'
        ? { ...base, mjml: BLANK_MJML, subject: 'News from {{ organization.name }}' }
        : { ...base, html: BLANK_HTML, subject: 'News from {{ organization.name }}' };
    create.mutate(input, {
      onSuccess: (template) => {
        toast.success('Template created', template.name);
        onClose();
        navigate(`/${template.id}`);
      },
    });
  };

  return (
    <Dialog
      open={choice !== null}
      onClose={onClose}
      busy={create.isPending}
      title={choice ? `New template: ${choice.name}` : 'New template'}
      description={choice?.description}
      footer={
        <>
          <Button variant="secondary" onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" form="new-template" loading={create.isPending}>
            Create and edit
          </Button>
        </>
      }
    >
      <form ref={formRef} id="new-template" onSubmit={submit} noValidate className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Name"
          value={name}
          onChange={(event) => {
            setName(event.target.value);
            errors.edited('name');
          }}
          error={errors.fields.name}
          hint="For you and your team; recipients never see it."
          placeholder="Spring newsletter"
          maxLength={200}
          autoComplete="off"
          data-autofocus
        />
      </form>
    </Dialog>
  );
}

/** /templates: the starter gallery and the organization's templates. */
export function TemplateList() {
  const templates = useTemplates();
  const starters = useStarters();
  const [choice, setChoice] = useState<StartChoice | null>(null);
  const [deleting, setDeleting] = useState<TemplateSummary | null>(null);
  const rows = templates.data?.pages.flatMap((page) => page.items) ?? [];
  const writable = useCan()('templates:write');

  const columns: Column<TemplateSummary>[] = [
    {
      id: 'name',
      header: 'Template',
      cell: (template) => (
        <div className="min-w-0">
          <Link
            href={`/${template.id}`}
            className="font-medium break-words text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {template.name}
          </Link>
          <p className="mt-0.5 truncate text-xs text-slate-500" title={template.subject}>
            {template.subject || 'No subject yet'}
          </p>
        </div>
      ),
    },
    {
      id: 'kind',
      header: 'Kind',
      className: 'hidden sm:table-cell',
      cell: (template) => (
        <Badge tone={template.kind === 'marketing' ? 'brand' : 'neutral'}>
          {template.kind === 'marketing' ? 'Marketing' : 'Transactional'}
        </Badge>
      ),
    },
    { id: 'version', header: 'Version', className: 'hidden md:table-cell tabular-nums', cell: (template) => `v${template.version}` },
    {
      id: 'updated',
      header: 'Last saved',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (template) => formatDateTime(template.updated_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px whitespace-nowrap text-right',
      cell: (template) => (
        <div className="flex justify-end gap-1">
          <Link
            href={`/${template.id}`}
            aria-label={`Edit ${template.name}`}
            className="inline-flex h-8 items-center rounded-lg px-2.5 text-sm font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Edit
          </Link>
          {writable && (
            <Button variant="danger-ghost" size="sm" onClick={() => setDeleting(template)} aria-label={`Delete ${template.name}`}>
              Delete
            </Button>
          )}
        </div>
      ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Templates"
        description="The emails your campaigns send: HTML or MJML with personal fields, previewed as recipients will see them."
      />
      <div className="space-y-6">
        {writable && (
          <Card aria-labelledby="gallery-title">
            <CardHeader
              titleId="gallery-title"
              title="New template"
              description="Start from a design: tested in the major mail clients, responsive, with the unsubscribe footer in place."
            />
            <CardBody>
              <div>
                {starters.isError ? (
                  <QueryError error={starters.error} onRetry={() => void starters.refetch()} />
                ) : (
                  <StarterGallery starters={starters.data ?? []} loading={starters.isPending} onChoose={setChoice} />
                )}
              </div>
            </CardBody>
          </Card>
        )}
        <Card aria-labelledby="templates-title">
          <CardHeader titleId="templates-title" title="Your templates" />
          {templates.isError ? (
            <QueryError error={templates.error} onRetry={() => void templates.refetch()} />
          ) : (
            <DataTable
              caption="Templates"
              columns={columns}
              rows={rows}
              rowKey={(template) => template.id}
              loading={templates.isPending}
              hasMore={templates.hasNextPage}
              onLoadMore={() => void templates.fetchNextPage()}
              loadingMore={templates.isFetchingNextPage}
              itemLabel={{ one: 'template', other: 'templates' }}
              empty={
                <EmptyState
                  icon={<Icon name="templates" className="size-6" />}
                  title="No templates yet"
                  description={
                    writable
                      ? 'Pick a design above: you can change every word and colour in the editor, with a live preview.'
                      : 'Nobody has written a template yet.'
                  }
                />
              }
            />
          )}
        </Card>
      </div>
      {choice && <NewTemplateDialog key={choice.key} choice={choice} onClose={() => setChoice(null)} />}
      <DeleteTemplateDialog template={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
