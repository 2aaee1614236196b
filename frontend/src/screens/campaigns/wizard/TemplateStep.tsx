import { Link } from 'wouter';
import { useTemplates, type TemplateSummary } from '../../../api/templates.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Button, EmptyState, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { formatDate } from '../../../lib/format.ts';
import { linkButtonClass } from '../common.tsx';
import type { StepProps } from './CampaignWizard.tsx';

function TemplateChoice({ template, checked, onChoose }: { template: TemplateSummary; checked: boolean; onChoose: () => void }) {
  return (
    <label
      className={cn(
        'flex cursor-pointer gap-3 rounded-lg border px-4 py-3 text-sm has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-600',
        checked ? 'border-indigo-300 bg-indigo-50/60' : 'border-slate-200 bg-white hover:bg-slate-50',
      )}
    >
      <input type="radio" name="template" value={template.id} checked={checked} onChange={onChoose} className="mt-0.5 size-4 shrink-0 accent-indigo-600" />
      <span className="min-w-0 flex-1">
        <span className="block font-medium break-words text-slate-900">{template.name}</span>
        <span className="mt-0.5 block truncate text-slate-600" title={template.subject}>
          Subject: {template.subject || 'none yet'}
        </span>
        <span className="mt-0.5 block text-xs text-slate-500">
          Version {template.version} · saved {formatDate(template.updated_at)}
        </span>
      </span>
    </label>
  );
}

/** Step 2: which of the organization's (marketing) templates the campaign sends. */
export function TemplateStep({ draft, commit }: StepProps) {
  const templates = useTemplates();
  const canWriteTemplates = useCan()('templates:write');

  if (templates.isError) return <QueryError error={templates.error} onRetry={() => void templates.refetch()} />;
  if (templates.isPending) {
    return (
      <LoadingRegion label="Loading your templates…">
        <div className="space-y-3">
          <Skeleton className="h-16" />
          <Skeleton className="h-16" />
        </div>
      </LoadingRegion>
    );
  }

  const all = templates.data.pages.flatMap((page) => page.items);
  // Transactional templates go out one by one through the API; campaigns refuse them.
  const marketing = all.filter((template) => template.kind === 'marketing');
  const chosen = all.find((template) => template.id === draft.template_id) ?? null;

  if (marketing.length === 0 && !templates.hasNextPage) {
    return (
      <EmptyState
        icon={<Icon name="templates" className="size-6" />}
        title="Create the email to send first"
        description={
          all.length > 0
            ? 'Your templates are all transactional (sent one by one through the API). A campaign sends a marketing template, which carries the unsubscribe link.'
            : 'Templates are the emails your campaigns send. Start from a tested design and change every word and colour with a live preview.'
        }
        action={
          canWriteTemplates ? (
            <Link href="~/templates" className={linkButtonClass('primary')}>
              Create a template
            </Link>
          ) : (
            <p className="text-sm text-slate-500">Ask an editor, campaign manager or admin to write one.</p>
          )
        }
      />
    );
  }

  return (
    <div className="space-y-4">
      <p className="max-w-3xl text-sm text-slate-600">
        The campaign sends the template’s latest saved version. You can still change the subject and the sender on the next step.
      </p>
      {draft.template_id !== null && !chosen && !templates.hasNextPage && (
        <p className="text-sm text-rose-700">The template this campaign used was deleted. Choose another one.</p>
      )}
      <div role="radiogroup" aria-label="Template" className="grid gap-3 lg:grid-cols-2">
        {marketing.map((template) => (
          <TemplateChoice
            key={template.id}
            template={template}
            checked={template.id === draft.template_id}
            onChoose={() => commit({ template_id: template.id })}
          />
        ))}
      </div>
      {templates.hasNextPage && (
        <Button variant="secondary" size="sm" onClick={() => void templates.fetchNextPage()} loading={templates.isFetchingNextPage}>
          Show more templates
        </Button>
      )}
      <div className="flex flex-wrap gap-x-4 gap-y-2 text-sm">
        {chosen && (
          <Link href={`~/templates/${chosen.id}`} className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
            Open “{chosen.name}” in the editor
          </Link>
        )}
        {canWriteTemplates && (
          <Link href="~/templates" className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
            Create another template
          </Link>
        )}
      </div>
    </div>
  );
}
