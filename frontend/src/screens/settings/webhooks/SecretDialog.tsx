import { Alert, Button, CopyButton, Dialog, Input } from '../../../components/ui/index.ts';

export interface ShownSecret {
  url: string;
  secret: string;
  /** A rotation: the previous secret keeps signing for a day. */
  rotated: boolean;
}

/**
 * The signing secret, once: the API never returns it again. Closing the dialog forgets
 * it (it lives in this state only, not in the query cache).
 */
export function SecretDialog({ shown, onDone }: { shown: ShownSecret | null; onDone: () => void }) {
  if (!shown) return null;
  return (
    <Dialog
      open
      onClose={onDone}
      title={shown.rotated ? 'Your new signing secret' : 'Store your signing secret now'}
      description={`Copy it into the configuration of the system behind ${shown.url}. For your security it is shown only this once.`}
      footer={
        <Button onClick={onDone} data-autofocus>
          I have stored it
        </Button>
      }
    >
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <Input
          label="Signing secret"
          value={shown.secret}
          readOnly
          onFocus={(event) => event.currentTarget.select()}
          className="font-mono text-xs"
          containerClassName="flex-1 min-w-0"
          spellCheck={false}
          data-testid="webhook-secret"
        />
        <CopyButton text={shown.secret} className="h-10" srLabel="secret" />
      </div>
      <div className="mt-4 space-y-3">
        {shown.rotated && (
          <Alert tone="info">
            The previous secret also signs every delivery for the next 24 hours, so your endpoint keeps accepting them
            while you update it.
          </Alert>
        )}
        <Alert tone="warning" title="Lost it later?">
          Rotate the secret to get a new one. Anyone with the secret can forge deliveries: keep it out of source code.
        </Alert>
        <p className="text-sm text-slate-600">
          Check each request: <code className="font-mono text-xs">X-EngageX-Signature</code> holds{' '}
          <code className="font-mono text-xs">v1=</code> followed by the hex HMAC-SHA256 of{' '}
          <code className="font-mono text-xs">timestamp.body</code> with this secret, where the timestamp is{' '}
          <code className="font-mono text-xs">X-EngageX-Timestamp</code> and the body is the raw request body.
        </p>
      </div>
    </Dialog>
  );
}
