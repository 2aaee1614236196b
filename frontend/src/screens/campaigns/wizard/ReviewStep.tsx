import { useState } from 'react';
import { useCampaignReview } from '../../../api/campaigns.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Alert, Button, Card, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import { CampaignSummary } from '../CampaignSummary.tsx';
import { TestSendDialog } from '../TestSendDialog.tsx';
import type { StepProps } from './CampaignWizard.tsx';
import { CheckList, ReviewFacts } from './ReviewChecks.tsx';
import { ScheduleDialog } from './ScheduleDialog.tsx';
import { formatInZone } from './schedule.ts';
import { SendNowDialog } from './SendNowDialog.tsx';
import { StepFooter } from './StepNav.tsx';

type Open = 'send' | 'schedule' | 'test' | null;

/** Step 4: every sending check with its outcome, then "Send now" or "Schedule". */
export function ReviewStep({ campaign, onGo, canWrite, saving }: StepProps) {
  const review = useCampaignReview(campaign.id);
  const canSend = useCan()('campaigns:send');
  const [open, setOpen] = useState<Open>(null);
  const ready = review.data?.ready ?? false;
  const recipients = review.data?.recipients ?? 0;
  const failed = review.data?.checks.filter((check) => !check.ok).length ?? 0;
  const recheck = () => void review.refetch();

  return (
    <>
      {review.isError ? (
        <Card>
          <QueryError error={review.error} onRetry={recheck} />
        </Card>
      ) : review.isPending ? (
        <LoadingRegion label="Checking the campaign…">
          <div className="grid gap-4 lg:grid-cols-5">
            <Skeleton className="h-64 lg:col-span-3" />
            <Skeleton className="h-64 lg:col-span-2" />
          </div>
        </LoadingRegion>
      ) : (
        <div className="space-y-4">
          {ready ? (
            <Alert tone="success" title="Ready to send">
              Every check passed: {formatNumber(recipients)} {recipients === 1 ? 'person receives' : 'people receive'} “{campaign.name}”.
            </Alert>
          ) : (
            <Alert
              title={failed === 1 ? '1 thing to fix before sending' : `${failed} things to fix before sending`}
              actions={
                <Button variant="secondary" size="sm" onClick={recheck} loading={review.isFetching} icon={<Icon name="refresh" className="size-4" />}>
                  Check again
                </Button>
              }
            >
              Each check below says what is wrong and where to fix it. The campaign stays a draft in the meantime.
            </Alert>
          )}
          {campaign.status === 'scheduled' && campaign.scheduled_at && (
            <Alert tone="info" title="Scheduled">
              It will be sent {formatInZone(campaign.scheduled_at, campaign.timezone)}. Send it now or choose another time below.
            </Alert>
          )}
          <div className="grid gap-4 lg:grid-cols-5">
            <div className="space-y-4 lg:col-span-3">
              <CheckList review={review.data} templateId={campaign.template_id} onGo={onGo} />
              <CampaignSummary campaign={campaign} />
            </div>
            <div className="lg:col-span-2">
              <ReviewFacts review={review.data} />
            </div>
          </div>
          {!canSend && (
            <Alert tone="info" title="Sending needs another role">
              {canWrite
                ? 'Your draft is saved. A campaign manager, admin or owner can send or schedule it from here.'
                : 'Campaign managers, admins and owners send and schedule campaigns.'}
            </Alert>
          )}
        </div>
      )}

      <StepFooter step="review" onGo={onGo} saving={saving} canWrite={canWrite}>
        {canWrite && (
          <Button variant="secondary" onClick={() => setOpen('test')} icon={<MoreIcon name="send" className="size-4" />}>
            Send test
          </Button>
        )}
        {canSend && (
          <>
            <Button variant="secondary" onClick={() => setOpen('schedule')} disabled={!ready}>
              Schedule
            </Button>
            <Button onClick={() => setOpen('send')} disabled={!ready} icon={<MoreIcon name="send" className="size-4" />}>
              Send now
            </Button>
          </>
        )}
      </StepFooter>

      {open === 'test' && <TestSendDialog open onClose={() => setOpen(null)} campaign={campaign} />}
      {open === 'send' && (
        <SendNowDialog open onClose={() => setOpen(null)} campaign={campaign} recipients={recipients} onRefused={recheck} />
      )}
      {open === 'schedule' && (
        <ScheduleDialog open onClose={() => setOpen(null)} campaign={campaign} recipients={recipients} onRefused={recheck} />
      )}
    </>
  );
}
