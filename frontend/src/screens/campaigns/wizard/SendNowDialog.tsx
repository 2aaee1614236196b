import { useLocation } from 'wouter';
import { useCampaignCommand, type Campaign } from '../../../api/campaigns.ts';
import { ConfirmDialog, useToast } from '../../../components/ui/index.ts';
import { formatCount } from '../../../lib/format.ts';

/** Confirms "Send now", stating how many people it goes to; then shows its progress. */
export function SendNowDialog({
  open,
  onClose,
  campaign,
  recipients,
  onRefused,
}: {
  open: boolean;
  onClose: () => void;
  campaign: Campaign;
  recipients: number;
  /** The server refused (a check failed since the review): the review asks again. */
  onRefused: () => void;
}) {
  const send = useCampaignCommand(campaign.id, 'send');
  const toast = useToast();
  const [, navigate] = useLocation();

  const close = () => {
    send.reset();
    onClose();
  };

  // Not `mutate`'s callbacks: the started campaign leaves the wizard, which may unmount
  // this dialog before they would run.
  const confirm = async () => {
    try {
      const started = await send.mutateAsync();
      toast.success('Sending started', `“${started.name}” is on its way to ${formatCount(started.counts.recipients || recipients, 'recipient')}.`);
      onClose();
      navigate(`/${campaign.id}`);
    } catch {
      onRefused();
    }
  };

  return (
    <ConfirmDialog
      open={open}
      onClose={close}
      busy={send.isPending}
      error={send.error}
      errorTitle="The campaign was not sent"
      tone="primary"
      title={`Send “${campaign.name}” now?`}
      description={`It goes to ${formatCount(recipients, 'recipient')} right away${
        campaign.status === 'scheduled' ? ', instead of at the scheduled time' : ''
      }. You can pause or cancel while it is sending, but messages already sent cannot be called back.`}
      confirmLabel="Send"
      onConfirm={() => void confirm()}
    />
  );
}
