/**
 * The wizard's working copy of a campaign: what the person edits, what differs from the
 * saved campaign (sent as a PATCH when they move on), and what is wrong with it before
 * asking the server.
 */

import { MAX_SEEDS, type Campaign, type CampaignInput } from '../../../api/campaigns.ts';
import { looksLikeEmail, parseAddresses } from '../../../lib/addresses.ts';

export interface CampaignDraft {
  name: string;
  template_id: number | null;
  /** Empty: the template's subject. */
  subject: string;
  from_name: string;
  from_email: string;
  reply_to: string;
  group_ids: number[];
  segment_ids: number[];
  exclude_group_ids: number[];
  exclude_segment_ids: number[];
  /** As typed: addresses separated by lines, commas, semicolons or spaces. */
  seeds: string;
  track_opens: boolean;
  track_clicks: boolean;
}

export type AudienceField = 'group_ids' | 'segment_ids' | 'exclude_group_ids' | 'exclude_segment_ids';
export type SettingsField = 'name' | 'subject' | 'from_name' | 'from_email' | 'reply_to' | 'seed_emails';

export function draftOf(campaign: Campaign): CampaignDraft {
  return {
    name: campaign.name,
    template_id: campaign.template_id,
    subject: campaign.subject ?? '',
    from_name: campaign.from_name ?? '',
    from_email: campaign.from_email ?? '',
    reply_to: campaign.reply_to ?? '',
    group_ids: [...campaign.group_ids],
    segment_ids: [...campaign.segment_ids],
    exclude_group_ids: [...campaign.exclude_group_ids],
    exclude_segment_ids: [...campaign.exclude_segment_ids],
    seeds: campaign.seed_emails.join('\n'),
    track_opens: campaign.track_opens,
    track_clicks: campaign.track_clicks,
  };
}

const text = (value: string): string | null => value.trim() || null;
// The server stores addresses lower-cased: "News@Acme.test" is no change from "news@acme.test".
const email = (value: string | null): string | null => value?.trim().toLowerCase() || null;
const sameIds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((id, index) => id === b[index]);

/** The fields of `draft` that differ from the saved `campaign`, as the API wants them. */
export function changesOf(draft: CampaignDraft, campaign: Campaign): CampaignInput {
  const changes: CampaignInput = {};
  const name = draft.name.trim();
  if (name && name !== campaign.name) changes.name = name;
  if (draft.template_id !== campaign.template_id) changes.template_id = draft.template_id;
  if (text(draft.subject) !== (campaign.subject ?? null)) changes.subject = text(draft.subject);
  if (text(draft.from_name) !== (campaign.from_name ?? null)) changes.from_name = text(draft.from_name);
  if (email(draft.from_email) !== email(campaign.from_email)) changes.from_email = email(draft.from_email);
  if (email(draft.reply_to) !== email(campaign.reply_to)) changes.reply_to = email(draft.reply_to);
  for (const field of ['group_ids', 'segment_ids', 'exclude_group_ids', 'exclude_segment_ids'] as const) {
    if (!sameIds(draft[field], campaign[field])) changes[field] = [...draft[field]];
  }
  const seeds = parseAddresses(draft.seeds).map((address) => address.toLowerCase());
  if (seeds.join('\n') !== campaign.seed_emails.join('\n')) changes.seed_emails = seeds;
  if (draft.track_opens !== campaign.track_opens) changes.track_opens = draft.track_opens;
  if (draft.track_clicks !== campaign.track_clicks) changes.track_clicks = draft.track_clicks;
  return changes;
}

/** What must be fixed in the settings before they can be saved, by field. */
export function settingsProblems(draft: CampaignDraft): Partial<Record<SettingsField, string>> {
  const problems: Partial<Record<SettingsField, string>> = {};
  if (!draft.name.trim()) problems.name = 'Give the campaign a name.';
  for (const field of ['from_email', 'reply_to'] as const) {
    const value = draft[field].trim();
    if (value && !looksLikeEmail(value)) problems[field] = `“${value}” is not an email address.`;
  }
  const seeds = parseAddresses(draft.seeds);
  const bad = seeds.find((address) => !looksLikeEmail(address));
  if (bad) problems.seed_emails = `“${bad}” is not an email address.`;
  else if (seeds.length > MAX_SEEDS) problems.seed_emails = `A seed list has at most ${MAX_SEEDS} addresses; ${seeds.length} are listed.`;
  return problems;
}

/** `ids` with `id` added, or removed when it is there. */
export function toggled(ids: readonly number[], id: number): number[] {
  return ids.includes(id) ? ids.filter((item) => item !== id) : [...ids, id];
}
