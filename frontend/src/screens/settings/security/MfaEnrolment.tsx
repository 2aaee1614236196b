import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { beginTotp, confirmTotp } from '../../../api/auth.ts';
import { describeError } from '../../../api/errors.ts';
import { Alert, Button, Input, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { normalizeCode } from '../../../lib/passwords.ts';
import { QrCode } from './QrCode.tsx';
import { RecoveryCodes } from './RecoveryCodes.tsx';

const FIELDS = ['code'] as const;
const CODE_TO_FIELD = { invalid_code: 'code' } as const;

/** "JBSWY3DPEHPK3PXP" -> "JBSW Y3DP EHPK 3PXP": easier to type into an app by hand. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Turning on two-step verification: scan the QR code (or type the key), confirm with a
 * first code, then save the recovery codes. `onDone` runs once the codes are saved.
 */
export function MfaEnrolment({
  email,
  onDone,
  onCancel,
  onEnabled,
}: {
  email: string | undefined;
  onDone: () => void;
  onCancel?: () => void;
  /** MFA is on (the codes are being shown): the parent may lock its dialog now. */
  onEnabled?: () => void;
}) {
  const begin = useMutation({ mutationFn: beginTotp });
  const confirm = useMutation({ mutationFn: (code: string) => confirmTotp(code), onSuccess: () => onEnabled?.() });
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useServerErrors(confirm.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, confirm.error ?? missing);

  // One secret per enrolment: a second start would replace the one being scanned.
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    begin.mutate();
  }, [begin]);

  if (confirm.data) {
    return <RecoveryCodes codes={confirm.data.recovery_codes} email={email} onDone={onDone} />;
  }
  if (begin.isError) {
    return (
      <Alert
        title="Two-step verification could not be started"
        actions={
          <Button variant="secondary" size="sm" onClick={() => begin.mutate()}>
            Try again
          </Button>
        }
      >
        {describeError(begin.error)}
      </Alert>
    );
  }
  if (!begin.data) {
    return (
      <LoadingRegion label="Preparing your authenticator key…">
        <div className="flex flex-col items-center gap-4 sm:flex-row sm:items-start">
          <Skeleton className="size-44 shrink-0" />
          <div className="w-full space-y-3">
            <Skeleton className="h-4 w-3/4" />
            <Skeleton className="h-4 w-1/2" />
            <Skeleton className="h-10 w-full" />
          </div>
        </div>
      </LoadingRegion>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = normalizeCode(code);
    if (!/^\d{6}$/.test(value)) {
      setMissing('Enter the 6-digit code your app shows.');
      return;
    }
    setMissing(null);
    confirm.mutate(value);
  };

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Set up two-step verification">
      <ol className="space-y-5 text-sm text-slate-700">
        <li>
          <p className="font-medium text-slate-900">1. Scan this code with your authenticator app</p>
          <p className="mt-0.5 text-slate-500">1Password, Google Authenticator, Microsoft Authenticator, Authy…</p>
          <div className="mt-3 flex flex-col items-center gap-4 sm:flex-row sm:items-start">
            <QrCode
              text={begin.data.otpauth_uri}
              label="QR code to scan with your authenticator app"
              className="size-44 shrink-0 rounded-lg ring-1 ring-slate-200"
            />
            <div className="min-w-0 text-slate-600">
              <p>Cannot scan it? Add an account in the app by hand with this key (time-based):</p>
              <p className="mt-2 rounded-md bg-slate-50 px-3 py-2 font-mono text-sm break-all text-slate-900 ring-1 ring-slate-200" data-testid="mfa-secret">
                {groupSecret(begin.data.secret)}
              </p>
            </div>
          </div>
        </li>
        <li>
          <p className="font-medium text-slate-900">2. Enter the code the app shows</p>
          {errors.form && <Alert className="mt-3">{errors.form}</Alert>}
          <Input
            label="6-digit code"
            name="code"
            value={code}
            onChange={(event) => {
              setCode(event.target.value);
              setMissing(null);
              errors.edited('code');
            }}
            error={
              missing ??
              (errors.fields.code ? 'That code is not valid. Check that the time on your phone is right.' : undefined)
            }
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={9}
            placeholder="123456"
            containerClassName="mt-3 max-w-56"
            className="font-mono tracking-widest"
          />
        </li>
      </ol>
      <div className="flex flex-col-reverse gap-2 border-t border-slate-200 pt-4 sm:flex-row sm:justify-end">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={confirm.isPending}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={confirm.isPending}>
          Turn on
        </Button>
      </div>
    </form>
  );
}
