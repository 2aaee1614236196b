import { useState } from 'react';
import { Link, useLocation } from 'wouter';
import { useCampaignCommand, useDuplicateCampaign, type Campaign } from '../../../api/campaigns.ts';
import { asSentence, describeError } from '../../../api/errors.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { Alert, Button, useToast } from '../../../components/ui/index.ts';
import { CampaignLoader } from '../CampaignLoader.tsx';
import { CampaignSummary } from '../CampaignSummary.tsx';
import { BackLink, CampaignStatusBadge, campaignWhen, hasStarted, linkButtonClass } from '../common.tsx';
import { browserTimeZone, formatInZone } from '../wizard/schedule.ts';
import { CancelDialog } from './CancelDialog.tsx';
import { DeliveryProgress } from './Progress.tsx';

/** Why a campaign stopped, as a title, and where that gets fixed. */
const REASONS: Record<string, { title: string; fix?: { href: string; label: string } }> = {
  manual: { title: 'Paused by someone on your team' },
  error_rate: { title: 'Paused automatically: too many messages failed' },
  sender_domain_unverified: {
    title: 'Paused automatically: the sender’s domain is not verified any more',
    fix: { href: '~/domains', label: 'Check your domains' },
  },
  sending_paused: { title: 'Paused automatically: a payment is overdue', fix: { href: '~/billing', label: 'Open billing' } },
  quota_exceeded: { title: 'Stopped: the plan’s emails for this period are used up', fix: { href: '~/billing', label: 'See plans and usage' } },
};

function StatusReason({ campaign }: { campaign: Campaign }) {
  if (campaign.status !== 'paused' && campaign.status !== 'failed') return null;
  if (!campaign.status_code && !campaign.status_reason) return null;
  const known = campaign.status_code ? REASONS[campaign.status_code] : undefined;
  const title = campaign.status === 'failed' ? 'The campaign failed' : (known?.title ?? 'Paused automatically');
  const manual = campaign.status_code === 'manual';
  return (
    <Alert
      tone={campaign.status === 'failed' ? 'danger' : manual ? 'info' : 'warning'}
      title={title}
      actions={
        known?.fix && (
          <Link href={known.fix.href} className={linkButtonClass('secondary', 'sm')}>
            {known.fix.label}
          </Link>
        )
      }
    >
      {manual
        ? 'Nothing more is sent until it is resumed. Batches already on their way finished.'
        : campaign.status_reason
          ? asSentence(campaign.status_reason)
          : null}
      {campaign.status === 'paused' && !manual && ' Fix the cause, then resume: it continues where it stopped.'}
    </Alert>
  );
}

function Details({ campaign }: { campaign: Campaign }) {
  const can = useCan();
  const canSend = can('campaigns:send');
  const canWrite = can('campaigns:write');
  const toast = useToast();
  const [, navigate] = useLocation();
  const pause = useCampaignCommand(campaign.id, 'pause');
  const resume = useCampaignCommand(campaign.id, 'resume');
  const unschedule = useCampaignCommand(campaign.id, 'unschedule');
  const duplicate = useDuplicateCampaign();
  const [cancelling, setCancelling] = useState(false);
  const started = hasStarted(campaign);

  const run = (command: typeof pause, done: string, failed: string) =>
    command.mutate(undefined, {
      onSuccess: () => toast.success(done, campaign.name),
      onError: (error) => toast.error(failed, describeError(error)),
    });

  const copy = () =>
    duplicate.mutate(
      { id: campaign.id },
      {
        onSuccess: (created) => {
          toast.success('Campaign duplicated', `“${created.name}” is a new draft.`);
          navigate(`/${created.id}/edit`);
        },
        onError: (error) => toast.error('The campaign was not duplicated', describeError(error)),
      },
    );

  const report = started && (
    <Link href={`/${campaign.id}/report`} className={linkButtonClass(campaign.status === 'sent' ? 'primary' : 'secondary')}>
      View report
    </Link>
  );
  const actions = {
    draft: canWrite ? (
      <Link href={`/${campaign.id}/edit`} className={linkButtonClass('primary')}>
        Continue editing
      </Link>
    ) : (
      <Link href={`/${campaign.id}/edit/review`} className={linkButtonClass('secondary')}>
        Review
      </Link>
    ),
    scheduled: (
      <>
        {canWrite && (
          <Link href={`/${campaign.id}/edit`} className={linkButtonClass('secondary')}>
            Edit
          </Link>
        )}
        {canSend && (
          <Button onClick={() => run(unschedule, 'Campaign unscheduled', 'The campaign was not unscheduled')} loading={unschedule.isPending}>
            Unschedule
          </Button>
        )}
      </>
    ),
    sending: (
      <>
        {report}
        {canSend && (
          <Button variant="secondary" onClick={() => run(pause, 'Campaign paused', 'The campaign was not paused')} loading={pause.isPending}>
            Pause
          </Button>
        )}
        {canSend && (
          <Button variant="danger" onClick={() => setCancelling(true)}>
            Cancel campaign
          </Button>
        )}
      </>
    ),
    paused: (
      <>
        {report}
        {canSend && (
          <Button variant="danger-ghost" onClick={() => setCancelling(true)}>
            Cancel campaign
          </Button>
        )}
        {canSend && (
          <Button onClick={() => run(resume, 'Sending resumed', 'The campaign was not resumed')} loading={resume.isPending}>
            Resume
          </Button>
        )}
      </>
    ),
  }[campaign.status as 'draft' | 'scheduled' | 'sending' | 'paused'] ?? (
    <>
      {canWrite && (
        <Button variant="secondary" onClick={copy} loading={duplicate.isPending}>
          Duplicate
        </Button>
      )}
      {report}
    </>
  );

  const zone = campaign.timezone;
  return (
    <>
      <BackLink to="">All campaigns</BackLink>
      <PageHeader
        title={campaign.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={campaign.status} />
            <span>{campaignWhen(campaign)}</span>
          </span>
        }
        actions={<div className="flex flex-wrap gap-2">{actions}</div>}
      />
      <div className="space-y-6">
        <StatusReason campaign={campaign} />
        {campaign.status === 'scheduled' && campaign.scheduled_at && (
          <Alert tone="info" title={`Sends ${formatInZone(campaign.scheduled_at, zone)}`}>
            {zone && zone !== browserTimeZone() && `That is ${formatInZone(campaign.scheduled_at, browserTimeZone())} for you. `}
            It goes to the audience as it is at that time. Until then you can edit it{canSend ? ', or unschedule it to keep it as a draft' : ''}.
          </Alert>
        )}
        {campaign.status === 'draft' && (
          <Alert tone="info" title="This campaign is a draft">
            Nothing has been sent. {canWrite ? 'Continue where you left off: the review step checks everything before sending.' : 'Someone with the Editor role or higher prepares it.'}
          </Alert>
        )}
        {started && <DeliveryProgress campaign={campaign} />}
        <CampaignSummary campaign={campaign} />
      </div>
      <CancelDialog campaign={campaign} open={cancelling} onClose={() => setCancelling(false)} />
    </>
  );
}

/** /campaigns/:id: where the campaign stands (draft, scheduled, live progress, outcome). */
export default function CampaignPage({ id }: { id: number }) {
  return <CampaignLoader id={id}>{(campaign) => <Details campaign={campaign} />}</CampaignLoader>;
}
