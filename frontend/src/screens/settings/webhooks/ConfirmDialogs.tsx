import { useDeleteWebhook, useRotateSecret, type Webhook, type WebhookWithSecret } from '../../../api/webhooks.ts';
import { describeError } from '../../../api/errors.ts';
import { Alert, Button, Dialog, useToast } from '../../../components/ui/index.ts';

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
    <Dialog
      open={webhook !== null}
      onClose={close}
      busy={remove.isPending}
      role="alertdialog"
      size="sm"
      title="Delete this endpoint?"
      description={
        webhook
          ? `${webhook.url} stops receiving events at once, and its delivery log is deleted. This cannot be undone.`
          : undefined
      }
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={remove.isPending} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={confirm} loading={remove.isPending}>
            Delete endpoint
          </Button>
        </>
      }
    >
      {remove.isError && <Alert>{describeError(remove.error)}</Alert>}
    </Dialog>
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
    <Dialog
      open={webhook !== null}
      onClose={close}
      busy={rotate.isPending}
      role="alertdialog"
      size="sm"
      title="Rotate the signing secret?"
      description="A new secret is created and shown once. The current one keeps signing deliveries for 24 hours, then stops: update your endpoint within that time."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={rotate.isPending} data-autofocus>
            Cancel
          </Button>
          <Button onClick={confirm} loading={rotate.isPending}>
            Rotate secret
          </Button>
        </>
      }
    >
      {rotate.isError && <Alert>{describeError(rotate.error)}</Alert>}
    </Dialog>
  );
}
