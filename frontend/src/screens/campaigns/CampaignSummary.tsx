import type { ReactNode } from 'react';
import { Link } from 'wouter';
import type { Campaign } from '../../api/campaigns.ts';
import { useAllGroups } from '../../api/contacts.ts';
import { useAllSegments } from '../../api/segments.ts';
import { useTemplates } from '../../api/templates.ts';
import { Card, CardHeader } from '../../components/ui/index.ts';

function names(ids: readonly number[], items: readonly { id: number; name: string }[] | undefined, noun: string): string {
  const byId = new Map(items?.map((item) => [item.id, item.name]));
  return ids.map((id) => byId.get(id) ?? `${noun} ${id}`).join(', ');
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-5 py-3 sm:grid-cols-3 sm:gap-4 sm:px-6">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="text-sm break-words text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

/** What the campaign sends, to whom and from whom, in plain words. */
export function CampaignSummary({ campaign, action }: { campaign: Campaign; action?: ReactNode }) {
  const groups = useAllGroups();
  const segments = useAllSegments();
  const templates = useTemplates();
  const template = templates.data?.pages.flatMap((page) => page.items).find((item) => item.id === campaign.template_id);

  const included = [names(campaign.group_ids, groups.data, 'Group'), names(campaign.segment_ids, segments.data, 'Segment')].filter(Boolean);
  const excluded = [
    names(campaign.exclude_group_ids, groups.data, 'Group'),
    names(campaign.exclude_segment_ids, segments.data, 'Segment'),
  ].filter(Boolean);
  const tracking = [campaign.track_opens && 'opens', campaign.track_clicks && 'clicks'].filter(Boolean).join(' and ');

  return (
    <Card aria-labelledby="summary-title">
      <CardHeader titleId="summary-title" title="Summary" actions={action} />
      <dl className="divide-y divide-slate-100">
        <Row label="Audience">
          {included.length > 0 ? included.join(', ') : <span className="text-slate-500">No group or segment chosen</span>}
          {excluded.length > 0 && <span className="block text-slate-500">Leaving out {excluded.join(', ')}</span>}
        </Row>
        <Row label="Template">
          {campaign.template_id === null ? (
            <span className="text-slate-500">None chosen</span>
          ) : (
            <Link href={`~/templates/${campaign.template_id}`} className="font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600">
              {template?.name ?? `Template ${campaign.template_id}`}
            </Link>
          )}
        </Row>
        <Row label="Subject">{campaign.subject ?? (template ? `${template.subject} (the template’s)` : 'The template’s subject')}</Row>
        <Row label="From">
          {campaign.from_email
            ? `${campaign.from_name ? `${campaign.from_name} <${campaign.from_email}>` : campaign.from_email}`
            : 'The template’s or the organization’s sender'}
          {campaign.reply_to && <span className="block text-slate-500">Replies to {campaign.reply_to}</span>}
        </Row>
        <Row label="Tracking">{tracking ? `Tracks ${tracking}` : 'No tracking'}</Row>
        {campaign.seed_emails.length > 0 && <Row label="Seed list">{campaign.seed_emails.join(', ')}</Row>}
      </dl>
    </Card>
  );
}
