import { useRevokeApiKey, type ApiKey } from '../../api/accounts.ts';
import { Alert, ConfirmDialog, useToast } from '../../components/ui/index.ts';

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
    <ConfirmDialog
      open={apiKey !== null}
      onClose={close}
      busy={revoke.isPending}
      error={revoke.error}
      title="Revoke this API key?"
      description={
        apiKey
          ? `Anything using “${apiKey.name}” stops working at once. This cannot be undone.`
          : undefined
      }
      confirmLabel="Revoke key"
      onConfirm={confirm}
    >
      {isCurrent && <Alert tone="warning">This browser is connected with this key: you will be disconnected.</Alert>}
    </ConfirmDialog>
  );
}
