import { useHasSentCampaign, useRecentCampaigns } from '../../api/analytics.ts';
import type { Campaign } from '../../api/campaigns.ts';
import { useContactCount } from '../../api/contacts.ts';
import { useDomains } from '../../api/domains.ts';
import { useTemplates } from '../../api/templates.ts';
import { checklistSteps, type ChecklistStep } from './checklist.ts';
import { RECENT_LIMIT } from './RecentCampaigns.tsx';

/** A campaign that got at least as far as sending (a scheduled one has not yet). */
const STARTED: ReadonlySet<Campaign['status']> = new Set(['sending', 'paused', 'sent']);

/**
 * The data of the Get started checklist, from the lists the app already reads (and
 * caches): the contact count, the templates, the domains, the newest campaigns.
 * `ready` turns true once every answer (or error) is in.
 */
export function useChecklist(): { steps: ChecklistStep[]; ready: boolean } {
  const contacts = useContactCount({});
  const templates = useTemplates();
  const domains = useDomains();
  const recent = useRecentCampaigns(RECENT_LIMIT);

  const items = recent.data?.items ?? [];
  const startedNewest = items.some((campaign) => STARTED.has(campaign.status) || campaign.started_at !== null);
  // Only when the newest few are all drafts and older ones exist: was any sent?
  const olderSent = useHasSentCampaign({ enabled: recent.isSuccess && !startedNewest && recent.data.next_cursor !== null });
  const draft = items.find((campaign) => campaign.status === 'draft');

  let campaigns: { sent: boolean; draftId: number | null } | undefined;
  if (recent.isSuccess) {
    if (startedNewest || recent.data.next_cursor === null) {
      campaigns = { sent: startedNewest, draftId: draft?.id ?? null };
    } else if (olderSent.isSuccess) {
      campaigns = { sent: olderSent.data, draftId: draft?.id ?? null };
    }
  }

  const steps = checklistSteps({
    contacts: contacts.data?.count,
    templates: templates.data ? templates.data.pages[0]?.items.length ?? 0 : undefined,
    domains: domains.data?.pages.flatMap((page) => page.items),
    campaigns,
  });
  const settled = [contacts, templates, domains, recent].every((query) => !query.isPending);
  const waitingForOlder = recent.isSuccess && campaigns === undefined && !olderSent.isError;
  return { steps, ready: settled && !waitingForOlder };
}
