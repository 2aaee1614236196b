import { useState } from 'react';
import { describeError } from '../../../api/errors.ts';
import { fetchRevision, useRevisions, type Revision, type RevisionSummary } from '../../../api/templates.ts';
import { Alert, Badge, Button, Dialog, Skeleton } from '../../../components/ui/index.ts';
import { formatDateTime } from '../../../lib/format.ts';

/**
 * The saved versions of a template, newest first. Any of them can be previewed, or
 * restored into the editor (saving it then makes it the newest version; campaigns keep
 * the version they were sent with).
 */
export function RevisionsDialog({
  open,
  onClose,
  templateId,
  latest,
  onPreview,
  onRestore,
}: {
  open: boolean;
  onClose: () => void;
  templateId: number;
  latest: number;
  onPreview: (revision: RevisionSummary) => void;
  onRestore: (revision: Revision) => void;
}) {
  const revisions = useRevisions(templateId, open);
  const [restoring, setRestoring] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rows = revisions.data?.pages.flatMap((page) => page.items) ?? [];

  const restore = async (summary: RevisionSummary) => {
    setRestoring(summary.id);
    setError(null);
    try {
      onRestore(await fetchRevision(templateId, summary.id));
      onClose();
    } catch (caught) {
      setError(caught);
    } finally {
      setRestoring(null);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Versions"
      description="Every save that changed the content is kept. Campaigns keep the version they were sent with."
    >
      {error !== null && <Alert className="mb-3">{describeError(error)}</Alert>}
      {revisions.isError ? (
        <Alert>{describeError(revisions.error)}</Alert>
      ) : revisions.isPending ? (
        <div className="space-y-3">
          <Skeleton className="h-12 w-full" />
          <Skeleton className="h-12 w-full" />
        </div>
      ) : (
        <ol className="max-h-96 divide-y divide-slate-100 overflow-y-auto" aria-label="Versions of the template">
          {rows.map((revision) => (
            <li key={revision.id} className="flex items-center justify-between gap-3 py-3">
              <div className="min-w-0 flex-1">
                <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
                  Version {revision.number}
                  {revision.number === latest && <Badge tone="success">Current</Badge>}
                </p>
                <p className="truncate text-xs text-slate-500" title={revision.subject}>
                  {formatDateTime(revision.created_at)} · {revision.subject || 'No subject'}
                </p>
              </div>
              <div className="flex shrink-0 gap-1">
                <Button
                  variant="ghost"
                  size="sm"
                  onClick={() => {
                    onPreview(revision);
                    onClose();
                  }}
                  aria-label={`Preview version ${revision.number}`}
                >
                  Preview
                </Button>
                {revision.number !== latest && (
                  <Button
                    variant="secondary"
                    size="sm"
                    loading={restoring === revision.id}
                    onClick={() => void restore(revision)}
                    aria-label={`Restore version ${revision.number}`}
                  >
                    Restore
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
      {revisions.hasNextPage && (
        <Button
          variant="secondary"
          size="sm"
          className="mt-3"
          loading={revisions.isFetchingNextPage}
          onClick={() => void revisions.fetchNextPage()}
        >
          Older versions
        </Button>
      )}
    </Dialog>
  );
}
