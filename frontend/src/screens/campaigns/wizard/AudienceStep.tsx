import { useId, type ReactNode } from 'react';
import { Link } from 'wouter';
import { useCampaignProgress } from '../../../api/campaigns.ts';
import { useAllGroups } from '../../../api/contacts.ts';
import { useAllSegments } from '../../../api/segments.ts';
import { Icon } from '../../../components/Icon.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { EmptyState, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import type { StepProps } from './CampaignWizard.tsx';
import { parseAddresses } from '../../../lib/addresses.ts';
import { toggled, type AudienceField } from './draft.ts';
import { linkButtonClass } from '../common.tsx';

interface PickItem {
  id: number;
  name: string;
  detail?: string;
}

function PickList({
  title,
  items,
  selected,
  onToggle,
  empty,
}: {
  title: string;
  items: readonly PickItem[];
  selected: readonly number[];
  onToggle: (id: number) => void;
  empty: ReactNode;
}) {
  const id = useId();
  return (
    <div className="min-w-0">
      <h4 className="text-sm font-medium text-slate-800">{title}</h4>
      {items.length === 0 ? (
        <p className="mt-2 rounded-lg border border-dashed border-slate-300 px-3 py-3 text-sm text-slate-500">{empty}</p>
      ) : (
        <ul className="mt-2 max-h-72 divide-y divide-slate-100 overflow-y-auto rounded-lg border border-slate-200">
          {items.map((item) => {
            const inputId = `${id}-${item.id}`;
            return (
              <li key={item.id} className="flex items-center gap-3 px-3 py-2.5 hover:bg-slate-50">
                <input
                  id={inputId}
                  type="checkbox"
                  checked={selected.includes(item.id)}
                  onChange={() => onToggle(item.id)}
                  aria-describedby={item.detail ? `${inputId}-detail` : undefined}
                  className="size-4 shrink-0 accent-indigo-600"
                />
                <label htmlFor={inputId} className="min-w-0 flex-1 cursor-pointer truncate text-sm font-medium text-slate-900">
                  {item.name}
                </label>
                {item.detail && (
                  <span id={`${inputId}-detail`} className="shrink-0 text-xs text-slate-500 tabular-nums">
                    {item.detail}
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/** The groups or segments to list: all of them, plus chosen ones deleted since. */
function withMissing(items: PickItem[], chosen: readonly number[], noun: string): PickItem[] {
  const known = new Set(items.map((item) => item.id));
  const missing = chosen.filter((id) => !known.has(id)).map((id) => ({ id, name: `${noun} ${id}`, detail: 'Deleted: uncheck it' }));
  return [...items, ...missing];
}

/** Step 1: the groups and segments the campaign goes to, and those it leaves out. */
export function AudienceStep({ campaign, draft, commit, saving }: StepProps) {
  const groups = useAllGroups();
  const segments = useAllSegments();
  const progress = useCampaignProgress(campaign.id);

  if (groups.isError || segments.isError) {
    const error = groups.error ?? segments.error;
    return <QueryError error={error} onRetry={() => void (groups.isError ? groups.refetch() : segments.refetch())} />;
  }
  if (groups.isPending || segments.isPending) {
    return (
      <LoadingRegion label="Loading your groups and segments…">
        <div className="grid gap-4 sm:grid-cols-2">
          <Skeleton className="h-40" />
          <Skeleton className="h-40" />
        </div>
      </LoadingRegion>
    );
  }

  if (groups.data.length === 0 && segments.data.length === 0) {
    return (
      <EmptyState
        icon={<Icon name="contacts" className="size-6" />}
        title="Put your contacts in a group first"
        description="A campaign goes to groups and segments of your contacts. Import a file into a new group, or create a group or a segment under Contacts."
        action={
          <div className="flex flex-wrap justify-center gap-2">
            <Link href="~/contacts/import" className={linkButtonClass('primary')}>
              Import contacts
            </Link>
            <Link href="~/contacts/groups" className={linkButtonClass('secondary')}>
              Manage groups
            </Link>
          </div>
        }
      />
    );
  }

  const groupItems = groups.data.map((group) => ({
    id: group.id,
    name: group.name,
    detail: `${formatNumber(group.contact_count)} ${group.contact_count === 1 ? 'contact' : 'contacts'}`,
  }));
  const segmentItems = segments.data.map((segment) => ({ id: segment.id, name: segment.name }));

  // A group or segment is either sent to or left out, never both.
  const toggle = (field: AudienceField, opposite: AudienceField, id: number) => {
    const next = toggled(draft[field], id);
    const changes: Partial<Record<AudienceField, number[]>> = { [field]: next };
    if (next.includes(id) && draft[opposite].includes(id)) changes[opposite] = draft[opposite].filter((item) => item !== id);
    commit(changes);
  };

  const seeds = parseAddresses(draft.seeds).length;
  const chosen = draft.group_ids.length + draft.segment_ids.length > 0;
  const counting = saving || progress.isFetching;
  const audience = progress.data?.audience ?? null;

  return (
    <div className="space-y-6">
      <p className="max-w-3xl text-sm text-slate-600">
        Choose who receives the campaign. Someone in several of the groups and segments you pick gets it once. Unsubscribed,
        bounced and suppressed addresses are always left out.
      </p>

      <div className="rounded-lg bg-slate-50 px-4 py-3" aria-live="polite" data-testid="audience-count">
        {!chosen && seeds === 0 ? (
          <p className="text-sm text-slate-600">Choose at least one group or segment.</p>
        ) : counting || audience === null ? (
          <p className="text-sm text-slate-600">Counting recipients…</p>
        ) : (
          <p className="text-sm text-slate-600">
            <span className="text-lg font-semibold text-slate-900 tabular-nums">{formatNumber(audience)}</span>{' '}
            {audience === 1 ? 'recipient' : 'recipients'} right now
            {seeds > 0 && `, with ${seeds} seed ${seeds === 1 ? 'address' : 'addresses'}`}. The review step counts again just
            before sending.
          </p>
        )}
      </div>

      <fieldset className="min-w-0">
        <legend className="text-base font-semibold text-slate-900">Send to</legend>
        <div className="mt-3 grid gap-4 md:grid-cols-2">
          <PickList
            title="Groups"
            items={withMissing(groupItems, [...draft.group_ids, ...draft.exclude_group_ids], 'Group')}
            selected={draft.group_ids}
            onToggle={(id) => toggle('group_ids', 'exclude_group_ids', id)}
            empty="No groups yet."
          />
          <PickList
            title="Segments"
            items={withMissing(segmentItems, [...draft.segment_ids, ...draft.exclude_segment_ids], 'Segment')}
            selected={draft.segment_ids}
            onToggle={(id) => toggle('segment_ids', 'exclude_segment_ids', id)}
            empty="No segments yet: segments pick contacts by rules, under Contacts › Segments."
          />
        </div>
      </fieldset>

      <fieldset className="min-w-0">
        <legend className="text-base font-semibold text-slate-900">Leave out</legend>
        <p className="mt-1 text-sm text-slate-500">Optional. Contacts in these never receive this campaign, even when they are in a group above.</p>
        <div className="mt-3 grid gap-4 md:grid-cols-2">
          <PickList
            title="Groups"
            items={withMissing(groupItems, [...draft.group_ids, ...draft.exclude_group_ids], 'Group')}
            selected={draft.exclude_group_ids}
            onToggle={(id) => toggle('exclude_group_ids', 'group_ids', id)}
            empty="No groups yet."
          />
          <PickList
            title="Segments"
            items={withMissing(segmentItems, [...draft.segment_ids, ...draft.exclude_segment_ids], 'Segment')}
            selected={draft.exclude_segment_ids}
            onToggle={(id) => toggle('exclude_segment_ids', 'segment_ids', id)}
            empty="No segments yet."
          />
        </div>
      </fieldset>
    </div>
  );
}
