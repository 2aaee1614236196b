import type { ImportStatus } from '../../../api/imports.ts';
import { Badge, type BadgeTone } from '../../../components/ui/index.ts';

const VIEW: Record<ImportStatus, { label: string; tone: BadgeTone }> = {
  pending: { label: 'Waiting', tone: 'neutral' },
  running: { label: 'Importing', tone: 'brand' },
  completed: { label: 'Completed', tone: 'success' },
  failed: { label: 'Failed', tone: 'danger' },
};

export function ImportStatusBadge({ status }: { status: ImportStatus }) {
  const view = VIEW[status] ?? { label: status, tone: 'neutral' as const };
  return <Badge tone={view.tone}>{view.label}</Badge>;
}
