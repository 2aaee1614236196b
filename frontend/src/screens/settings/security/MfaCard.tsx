import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { authKeys, useDisableTotp, useRegenerateRecoveryCodes, type AuthUser } from '../../../api/auth.ts';
import { Icon } from '../../../components/Icon.tsx';
import { Alert, Badge, Button, Card, CardBody, CardHeader, Dialog, Input, useToast } from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { normalizeCode } from '../../../lib/passwords.ts';
import { MfaEnrolment } from './MfaEnrolment.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

const CODE_FIELDS = ['code'] as const;
const CODE_TO_FIELD = { invalid_code: 'code' } as const;
const LOW_RECOVERY_CODES = 3;

/** A dialog that asks for a current code (TOTP or recovery) before a sensitive change. */
function CodeDialog({
  open,
  title,
  description,
  submitLabel,
  danger = false,
  pending,
  error,
  onSubmit,
  onClose,
  children,
}: {
  open: boolean;
  title: string;
  description: string;
  submitLabel: string;
  danger?: boolean;
  pending: boolean;
  error: unknown;
  onSubmit: (code: string) => void;
  onClose: () => void;
  children?: ReactNode;
}) {
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useServerErrors(error, CODE_FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, error ?? missing);
  const close = () => {
    setCode('');
    setMissing(null);
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = normalizeCode(code);
    if (!value) {
      setMissing('Enter a code from your authenticator app, or a recovery code.');
      return;
    }
    onSubmit(value);
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={pending}
      size="sm"
      role={danger ? 'alertdialog' : 'dialog'}
      title={title}
      description={description}
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" form="mfa-code-form" variant={danger ? 'danger' : 'primary'} loading={pending}>
            {submitLabel}
          </Button>
        </>
      }
    >
      <form ref={formRef} id="mfa-code-form" onSubmit={submit} noValidate className="space-y-4">
        {children}
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Authentication or recovery code"
          name="code"
          value={code}
          onChange={(event) => {
            setCode(event.target.value);
            setMissing(null);
            errors.edited('code');
          }}
          error={missing ?? (errors.fields.code ? 'That code is not valid.' : undefined)}
          autoComplete="one-time-code"
          spellCheck={false}
          className="font-mono"
          data-autofocus
        />
      </form>
    </Dialog>
  );
}

/** Two-step verification of the signed-in person: turn on, new recovery codes, turn off. */
export function MfaCard({ user }: { user: AuthUser }) {
  const client = useQueryClient();
  const toast = useToast();
  const [enrolling, setEnrolling] = useState(false);
  const [locked, setLocked] = useState(false);
  const [disabling, setDisabling] = useState(false);
  const [regenerating, setRegenerating] = useState(false);
  const disable = useDisableTotp();
  const regenerate = useRegenerateRecoveryCodes();

  const finishEnrolment = () => {
    setEnrolling(false);
    setLocked(false);
    void client.invalidateQueries({ queryKey: authKeys.me });
    toast.success('Two-step verification is on', 'You will enter a code from your app when you sign in.');
  };

  const low = user.mfa_enabled && user.recovery_codes_left <= LOW_RECOVERY_CODES;
  return (
    <Card aria-labelledby="mfa-title">
      <CardHeader
        titleId="mfa-title"
        title="Two-step verification"
        description="A code from an authenticator app on your phone, on top of your password, at each sign-in."
        actions={
          user.mfa_enabled ? (
            <Badge tone="success" className="gap-1">
              <Icon name="check" className="size-3.5" />
              On
            </Badge>
          ) : (
            <Badge tone="neutral">Off</Badge>
          )
        }
      />
      <CardBody className="space-y-4">
        {user.mfa_enabled ? (
          <>
            <p className="text-sm text-slate-600">
              Your account is protected by an authenticator app.{' '}
              <span data-testid="recovery-codes-left">
                {user.recovery_codes_left} recovery {user.recovery_codes_left === 1 ? 'code' : 'codes'} left.
              </span>
            </p>
            {low && (
              <Alert tone="warning">
                You are running out of recovery codes. Create new ones so you can still sign in if you lose your phone.
              </Alert>
            )}
            <div className="flex flex-wrap gap-2">
              <Button variant="secondary" onClick={() => setRegenerating(true)}>
                New recovery codes
              </Button>
              <Button variant="danger-ghost" onClick={() => setDisabling(true)}>
                Turn off
              </Button>
            </div>
          </>
        ) : (
          <>
            <p className="text-sm text-slate-600">
              Someone who learns your password still cannot sign in without your phone. Recommended for everyone who
              can send campaigns or manage the organization.
            </p>
            <Button onClick={() => setEnrolling(true)} icon={<Icon name="shield" className="size-4" />}>
              Turn on two-step verification
            </Button>
          </>
        )}
      </CardBody>

      <Dialog
        open={enrolling}
        onClose={() => setEnrolling(false)}
        busy={locked}
        title={locked ? 'Save your recovery codes' : 'Turn on two-step verification'}
      >
        {enrolling && (
          <MfaEnrolment
            email={user.email}
            onEnabled={() => setLocked(true)}
            onDone={finishEnrolment}
            onCancel={() => setEnrolling(false)}
          />
        )}
      </Dialog>

      <CodeDialog
        open={disabling}
        danger
        title="Turn off two-step verification?"
        description="Your password alone will then be enough to sign in. Confirm with a current code."
        submitLabel="Turn off"
        pending={disable.isPending}
        error={disable.error}
        onClose={() => {
          setDisabling(false);
          disable.reset();
        }}
        onSubmit={(code) =>
          disable.mutate(code, {
            onSuccess: () => {
              setDisabling(false);
              toast.success('Two-step verification is off');
            },
          })
        }
      />

      {regenerate.data ? (
        <Dialog open busy title="Your new recovery codes" onClose={() => undefined}>
          <RecoveryCodes codes={regenerate.data.recovery_codes} email={user.email} onDone={() => regenerate.reset()} />
        </Dialog>
      ) : (
        <CodeDialog
          open={regenerating}
          title="Create new recovery codes?"
          description="Your current recovery codes stop working. Confirm with a code from your app."
          submitLabel="Create codes"
          pending={regenerate.isPending}
          error={regenerate.error}
          onClose={() => {
            setRegenerating(false);
            regenerate.reset();
          }}
          onSubmit={(code) => regenerate.mutate(code, { onSuccess: () => setRegenerating(false) })}
        />
      )}
    </Card>
  );
}
