import { useRevokeApiKey, type ApiKey } from '../../api/accounts.ts';
import { describeError } from '../../api/errors.ts';
import { Alert, Button, Dialog, useToast } from '../../components/ui/index.ts';

export function RevokeApiKeyDialog({
  apiKey,
  isCurrent,
  onClose,
}: {
  apiKey: ApiKey | null;
  /** This browser is connected with the key: revoking it disconnects the browser. */
  isCurrent: boolean;
  onClose: () => void;
}) {
  const revoke = useRevokeApiKey();
  const toast = useToast();

  const close = () => {
    revoke.reset();
    onClose();
  };

  const confirm = () => {
    if (!apiKey) return;
    revoke.mutate(apiKey.id, {
      onSuccess: () => {
        toast.success('API key revoked', `“${apiKey.name}” no longer works.`);
        close();
      },
    });
  };

  return (
    <Dialog
      open={apiKey !== null}
      onClose={close}
      busy={revoke.isPending}
      role="alertdialog"
      size="sm"
      title="Revoke this API key?"
      description={
        apiKey
          ? `Anything using “${apiKey.name}” stops working at once. This cannot be undone.`
          : undefined
      }
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={revoke.isPending} data-autofocus>
            Cancel
          </Button>
          <Button variant="danger" onClick={confirm} loading={revoke.isPending}>
            Revoke key
          </Button>
        </>
      }
    >
      {(isCurrent || revoke.isError) && (
        <div className="space-y-3">
          {isCurrent && (
            <Alert tone="warning">This browser is connected with this key: you will be disconnected.</Alert>
          )}
          {revoke.isError && <Alert>{describeError(revoke.error)}</Alert>}
        </div>
      )}
    </Dialog>
  );
}
