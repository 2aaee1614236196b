import { useDeleteCampaign, type Campaign } from '../../../api/campaigns.ts';
import { ConfirmDialog, useToast } from '../../../components/ui/index.ts';
import { hasStarted } from '../common.tsx';

/** Confirms deleting a campaign that is not running; `onDeleted` runs after it is gone. */
export function DeleteCampaignDialog({
  campaign,
  onClose,
  onDeleted,
}: {
  campaign: Campaign | null;
  onClose: () => void;
  onDeleted?: () => void;
}) {
  const remove = useDeleteCampaign();
  const toast = useToast();

  const close = () => {
    remove.reset();
    onClose();
  };

  const confirm = () => {
    if (!campaign) return;
    remove.mutate(campaign.id, {
      onSuccess: () => {
        toast.success('Campaign deleted', campaign.name);
        close();
        onDeleted?.();
        remove.forget(campaign.id);
      },
    });
  };

  return (
    <ConfirmDialog
      open={campaign !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title={campaign ? `Delete “${campaign.name}”?` : 'Delete campaign?'}
      description={
        campaign && hasStarted(campaign)
          ? 'Its report and recipient list are deleted with it. Messages already delivered stay in their inboxes.'
          : 'The draft and its settings are deleted. Your templates, groups and segments are not affected.'
      }
      confirmLabel="Delete campaign"
      onConfirm={confirm}
    />
  );
}
