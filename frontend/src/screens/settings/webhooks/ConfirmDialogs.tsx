import { useDeleteWebhook, useRotateSecret, type Webhook, type WebhookWithSecret } from '../../../api/webhooks.ts';
import { ConfirmDialog, useToast } from '../../../components/ui/index.ts';

export function DeleteWebhookDialog({ webhook, onClose }: { webhook: Webhook | null; onClose: () => void }) {
  const remove = useDeleteWebhook();
  const toast = useToast();
  const close = () => {
    remove.reset();
    onClose();
  };
  const confirm = () => {
    if (!webhook) return;
    remove.mutate(webhook.id, {
      onSuccess: () => {
        toast.success('Endpoint deleted', `${webhook.url} receives no more events.`);
        close();
      },
    });
  };
  return (
    <ConfirmDialog
      open={webhook !== null}
      onClose={close}
      busy={remove.isPending}
      error={remove.error}
      title="Delete this endpoint?"
      description={
        webhook
          ? `${webhook.url} stops receiving events at once, and its delivery log is deleted. This cannot be undone.`
          : undefined
      }
      confirmLabel="Delete endpoint"
      onConfirm={confirm}
    />
  );
}

/** Confirms, rotates, then hands the new secret over to be shown once. */
export function RotateSecretDialog({
  webhook,
  onClose,
  onRotated,
}: {
  webhook: Webhook | null;
  onClose: () => void;
  onRotated: (rotated: WebhookWithSecret) => void;
}) {
  const rotate = useRotateSecret();
  const close = () => {
    rotate.reset();
    onClose();
  };
  const confirm = () => {
    if (!webhook) return;
    rotate.mutate(webhook.id, {
      onSuccess: (rotated) => {
        rotate.reset();
        onRotated(rotated);
      },
    });
  };
  return (
    <ConfirmDialog
      open={webhook !== null}
      onClose={close}
      busy={rotate.isPending}
      error={rotate.error}
      tone="primary"
      title="Rotate the signing secret?"
      description="A new secret is created and shown once. The current one keeps signing deliveries for 24 hours, then stops: update your endpoint within that time."
      confirmLabel="Rotate secret"
      onConfirm={confirm}
    />
  );
}
