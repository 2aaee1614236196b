import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import { oidcStartUrl, signIn, useMe, useOidcInfo, type SignInInput } from '../../api/auth.ts';
import { UnauthorizedError } from '../../api/errors.ts';
import {
  FORGOT_PASSWORD_PATH,
  SIGN_UP_PATH,
  connectUrl,
  mfaUrl,
  safeNext,
  useSessionActions,
} from '../../auth/session.tsx';
import { Icon } from '../../components/Icon.tsx';
import { Alert, Button, Input, PasswordInput } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { AuthLayout, AuthLink, Divider } from './AuthLayout.tsx';

const FIELDS = ['email', 'password'] as const;
const CODE_TO_FIELD = { invalid_email: 'email' } as const;

const REASONS: Record<string, { tone: 'warning' | 'info' | 'success'; text: string }> = {
  expired: { tone: 'warning', text: 'Your session has ended. Sign in again to continue where you were.' },
  'signed-out': { tone: 'info', text: 'You are signed out.' },
  'password-reset': { tone: 'success', text: 'Your password was changed. Sign in with the new one.' },
  joined: { tone: 'success', text: 'You joined the organization. Sign in to start working in it.' },
};

/** `/sign-in?error=` from the single sign-on callback (blueprints/auth/public.py). */
export const SSO_ERRORS: Record<string, string> = {
  sso_state_mismatch: 'The single sign-on answer did not match this browser. Start again from this page.',
  sso_expired: 'Single sign-on took too long (more than 10 minutes). Start again.',
  sso_invalid: 'Your identity provider’s answer could not be verified. Try again, or ask your administrator.',
  sso_email_not_verified:
    'Your identity provider has not verified your email address, so it cannot be used to sign in here.',
  sso_denied: 'Your identity provider refused the sign-in.',
  sso_unavailable: 'Your identity provider cannot be reached right now. Try again in a moment.',
  sso_not_configured: 'Single sign-on is not set up on this server.',
  sso_failed: 'Single sign-on failed. Try again.',
};

function SingleSignOn({ next }: { next: string }) {
  const oidc = useOidcInfo();
  if (!oidc.data?.enabled) return null;
  let provider: string | null = null;
  try {
    provider = oidc.data.issuer ? new URL(oidc.data.issuer).hostname : null;
  } catch {
    provider = null;
  }
  return (
    <>
      <Divider>or</Divider>
      {/* A full page load: the server redirects to the identity provider. */}
      <a
        href={oidcStartUrl(oidc.data, next)}
        className="flex h-10 w-full items-center justify-center gap-2 rounded-lg bg-white text-sm font-medium text-slate-800 shadow-xs ring-1 ring-slate-300 ring-inset hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        <Icon name="shield" className="size-4 text-slate-500" />
        Continue with single sign-on
      </a>
      {provider && <p className="mt-2 text-center text-xs text-slate-500">Through {provider}</p>}
    </>
  );
}

export default function SignInScreen() {
  const search = new URLSearchParams(useSearch());
  const next = safeNext(search.get('next'));
  const reason = REASONS[search.get('reason') ?? ''];
  const ssoError = search.get('error');
  const organizationId = Number(search.get('org')) || undefined;
  const [, navigate] = useLocation();
  const { startSession } = useSessionActions();
  const me = useMe();
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<Partial<Record<'email' | 'password', string>>>({});
  const formRef = useRef<HTMLFormElement>(null);

  const attempt = useMutation({
    mutationFn: (input: SignInInput) => signIn(input),
    onSuccess: (state) => {
      if (state.mfa_required) {
        navigate(mfaUrl(next), { replace: true });
        return;
      }
      startSession(state);
      navigate(next, { replace: true });
    },
  });
  const errors = useServerErrors(attempt.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, attempt.error ?? (Object.keys(missing).length ? missing : null));

  // Already signed in (a bookmark of this page): straight to the app.
  if (me.data?.user && !attempt.isPending && !attempt.isSuccess) return <Redirect to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: typeof missing = {};
    if (!email.trim()) problems.email = 'Enter your email address.';
    if (!password) problems.password = 'Enter your password.';
    setMissing(problems);
    if (Object.keys(problems).length) return;
    attempt.mutate({
      email: email.trim(),
      password,
      ...(organizationId ? { organization_id: organizationId } : {}),
    });
  };

  const wrongCredentials = attempt.error instanceof UnauthorizedError;
  return (
    <AuthLayout
      title="Sign in to EngageX"
      description="Welcome back. Sign in with your work email."
      footer={
        <>
          <p>
            New to EngageX? <AuthLink href={SIGN_UP_PATH}>Create an account</AuthLink>
          </p>
          <p>
            <AuthLink href={connectUrl(next)} className="inline-flex items-center gap-1.5 font-normal text-slate-600">
              <Icon name="key" className="size-4" />
              Use an API key
            </AuthLink>
          </p>
        </>
      }
    >
      {(reason || ssoError) && (
        <div className="mb-5 space-y-3">
          {reason && <Alert tone={reason.tone}>{reason.text}</Alert>}
          {ssoError && (
            <Alert title="Single sign-on did not work">{SSO_ERRORS[ssoError] ?? SSO_ERRORS['sso_failed']}</Alert>
          )}
        </div>
      )}
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Sign in">
        {wrongCredentials ? (
          <Alert title="Those details did not work">
            The email or the password is wrong. Check both, or choose a new password with “Forgot password?”.
          </Alert>
        ) : (
          errors.form && <Alert>{errors.form}</Alert>
        )}
        <Input
          label="Email"
          name="email"
          type="email"
          inputMode="email"
          autoComplete="username"
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setMissing(({ email: _, ...rest }) => rest);
            errors.edited('email');
          }}
          error={missing.email ?? errors.fields.email}
          autoFocus={!search.get('email')}
        />
        <PasswordInput
          label="Password"
          name="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            setMissing(({ password: _, ...rest }) => rest);
            errors.edited('password');
          }}
          error={missing.password ?? errors.fields.password}
          autoFocus={Boolean(search.get('email'))}
          labelAction={
            <AuthLink href={email ? `${FORGOT_PASSWORD_PATH}?${new URLSearchParams({ email })}` : FORGOT_PASSWORD_PATH}>
              Forgot password?
            </AuthLink>
          }
        />
        <Button type="submit" className="w-full" loading={attempt.isPending}>
          Sign in
        </Button>
      </form>
      <SingleSignOn next={next} />
    </AuthLayout>
  );
}
