import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { signInMfa } from '../../api/auth.ts';
import { UnauthorizedError } from '../../api/errors.ts';
import { safeNext, signInUrl, useSessionActions } from '../../auth/session.tsx';
import { Icon } from '../../components/Icon.tsx';
import { Alert, Badge, Button, Input } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { normalizeCode } from '../../lib/passwords.ts';
import { AuthLayout, AuthLink } from './AuthLayout.tsx';

const FIELDS = ['code'] as const;
const CODE_TO_FIELD = { invalid_code: 'code' } as const;

/**
 * The second step of a sign-in: the password was right, the session cookie now admits
 * only this code (a TOTP from the authenticator app, or one of the recovery codes).
 */
export default function MfaScreen() {
  const search = new URLSearchParams(useSearch());
  const next = safeNext(search.get('next'));
  const [, navigate] = useLocation();
  const { startSession } = useSessionActions();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [missing, setMissing] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const input = useRef<HTMLInputElement>(null);

  const verify = useMutation({
    mutationFn: (value: string) => signInMfa(value),
    onSuccess: (state) => {
      startSession(state);
      navigate(next, { replace: true });
    },
  });
  const errors = useServerErrors(verify.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, verify.error ?? missing);
  const expired =
    verify.error instanceof UnauthorizedError && (verify.error.code === 'mfa_expired' || verify.error.code === 'unauthorized');

  const codeMessage = useRecovery
    ? 'That recovery code is not valid, or it was already used.'
    : 'That code is not valid. Codes change every 30 seconds: enter the one your app shows now.';

  const send = (value: string) => {
    const normalized = normalizeCode(value);
    if (!normalized) {
      setMissing(useRecovery ? 'Enter one of your recovery codes.' : 'Enter the 6-digit code.');
      return;
    }
    setMissing(null);
    verify.mutate(normalized);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    send(code);
  };

  const switchMode = () => {
    setUseRecovery((value) => !value);
    setCode('');
    setMissing(null);
    verify.reset();
    input.current?.focus();
  };

  return (
    <AuthLayout
      title="Two-step verification"
      badge={
        <Badge tone="brand" className="gap-1">
          <Icon name="shield" className="size-3.5" />
          Step 2 of 2
        </Badge>
      }
      description={
        useRecovery
          ? 'Enter one of the recovery codes you saved when you set up two-step verification. Each code works once.'
          : 'Open your authenticator app and enter the 6-digit code it shows for EngageX.'
      }
      footer={
        <p>
          <AuthLink href={signInUrl(next)}>Back to sign in</AuthLink>
        </p>
      }
    >
      {expired ? (
        <Alert
          tone="warning"
          title="This sign-in has expired"
          actions={
            <AuthLink href={signInUrl(next)} className="text-sm">
              Sign in again
            </AuthLink>
          }
        >
          For your security the second step must follow the password within a few minutes.
        </Alert>
      ) : (
        <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Verification code">
          {errors.form && <Alert>{errors.form}</Alert>}
          <Input
            ref={input}
            key={useRecovery ? 'recovery' : 'totp'}
            label={useRecovery ? 'Recovery code' : 'Authentication code'}
            name="code"
            value={code}
            onChange={(event) => {
              const value = event.target.value;
              setCode(value);
              setMissing(null);
              errors.edited('code');
              // Six digits is a whole TOTP code: no need to reach for the button.
              if (!useRecovery && /^\d{6}$/.test(normalizeCode(value)) && !verify.isPending) send(value);
            }}
            error={missing ?? (errors.fields.code ? codeMessage : undefined)}
            inputMode={useRecovery ? 'text' : 'numeric'}
            autoComplete="one-time-code"
            placeholder={useRecovery ? 'xxxx-xxxx-xxxx-xxxx' : '123456'}
            maxLength={useRecovery ? 32 : 9}
            spellCheck={false}
            autoFocus
            className="font-mono tracking-widest"
          />
          <Button type="submit" className="w-full" loading={verify.isPending}>
            Verify
          </Button>
          <button
            type="button"
            onClick={switchMode}
            className="w-full rounded text-center text-sm font-medium text-indigo-700 hover:text-indigo-900 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            {useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead'}
          </button>
        </form>
      )}
    </AuthLayout>
  );
}
