import { useCampaignCommand, useCampaignProgress, type Campaign } from '../../../api/campaigns.ts';
import { ConfirmDialog, useToast } from '../../../components/ui/index.ts';
import { formatCount } from '../../../lib/format.ts';

/** Confirms stopping a campaign for good: recipients not sent yet never receive it. */
export function CancelDialog({ campaign, open, onClose }: { campaign: Campaign; open: boolean; onClose: () => void }) {
  const cancel = useCampaignCommand(campaign.id, 'cancel');
  const toast = useToast();
  // The live count: the page's copy of the campaign is not refreshed while it sends.
  const progress = useCampaignProgress(campaign.id);
  const left = progress.data?.queued ?? campaign.counts.queued;

  const close = () => {
    cancel.reset();
    onClose();
  };

  const confirm = () =>
    cancel.mutate(undefined, {
      onSuccess: () => {
        toast.success('Campaign cancelled', `“${campaign.name}” will not be sent to anyone else.`);
        close();
      },
    });

  return (
    <ConfirmDialog
      open={open}
      onClose={close}
      busy={cancel.isPending}
      error={cancel.error}
      title={`Cancel “${campaign.name}”?`}
      description={`${
        left > 0 ? `The ${formatCount(left, 'recipient')} not sent yet will never receive it.` : 'Nobody else will receive it.'
      } Messages already sent stay sent. This cannot be undone; to stop for a while, pause instead.`}
      cancelLabel="Keep it"
      confirmLabel="Cancel campaign"
      onConfirm={confirm}
    />
  );
}
