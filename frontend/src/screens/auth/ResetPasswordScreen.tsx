import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import { resetPassword } from '../../api/auth.ts';
import { ApiError } from '../../api/errors.ts';
import { FORGOT_PASSWORD_PATH, SIGN_IN_PATH, signInUrl } from '../../auth/session.tsx';
import { Alert, Button, PasswordInput } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { NEW_PASSWORD_HINT, newPasswordProblem } from '../../lib/passwords.ts';
import { AuthLayout, AuthLink } from './AuthLayout.tsx';

const FIELDS = ['new_password'] as const;
const CODE_TO_FIELD = { weak_password: 'new_password' } as const;

/** Why a reset link cannot be used (codes of blueprints/auth/services/flows.py). */
const DEAD_LINKS: Record<string, string> = {
  token_expired: 'This link has expired: reset links work for one hour.',
  token_used: 'This link was already used, or your password changed since it was sent.',
  invalid_token: 'This link is not valid. Check that you opened the whole link from the email.',
};

function DeadLink({ reason }: { reason: string }) {
  return (
    <AuthLayout
      title="This link cannot be used"
      footer={
        <p>
          <AuthLink href={SIGN_IN_PATH}>Back to sign in</AuthLink>
        </p>
      }
    >
      <Alert tone="warning">{reason}</Alert>
      <AuthLink
        href={FORGOT_PASSWORD_PATH}
        className="mt-5 flex h-10 w-full items-center justify-center rounded-lg bg-indigo-600 text-white hover:bg-indigo-500 hover:text-white hover:no-underline"
      >
        Request a new link
      </AuthLink>
    </AuthLayout>
  );
}

/** `/reset-password?token=...`: the link of the reset email. Every session ends on success. */
export default function ResetPasswordScreen() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const [, navigate] = useLocation();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [local, setLocal] = useState<{ new_password?: string; confirm?: string }>({});
  const [attempted, setAttempted] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  const reset = useMutation({
    mutationFn: (newPassword: string) => resetPassword(token, newPassword),
    onSuccess: () => navigate(signInUrl('/', 'password-reset'), { replace: true }),
  });
  const errors = useServerErrors(reset.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, reset.error ?? (attempted || null));

  if (!token) return <DeadLink reason={DEAD_LINKS['invalid_token']!} />;
  if (reset.error instanceof ApiError && DEAD_LINKS[reset.error.code]) {
    return <DeadLink reason={DEAD_LINKS[reset.error.code]!} />;
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: typeof local = {};
    const weak = newPasswordProblem(password);
    if (weak) problems.new_password = weak;
    else if (confirm !== password) problems.confirm = 'The two passwords are not the same.';
    setLocal(problems);
    setAttempted((count) => count + 1);
    if (Object.keys(problems).length === 0) reset.mutate(password);
  };

  return (
    <AuthLayout
      title="Choose a new password"
      description="After this, you are signed out everywhere and sign in again with the new password."
    >
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Choose a new password">
        {errors.form && <Alert>{errors.form}</Alert>}
        <PasswordInput
          label="New password"
          name="new_password"
          autoComplete="new-password"
          value={password}
          onChange={(event) => {
            setPassword(event.target.value);
            setLocal({});
            errors.edited('new_password');
          }}
          error={local.new_password ?? errors.fields.new_password}
          hint={NEW_PASSWORD_HINT}
          autoFocus
        />
        <PasswordInput
          label="Confirm new password"
          name="confirm"
          autoComplete="new-password"
          value={confirm}
          onChange={(event) => {
            setConfirm(event.target.value);
            setLocal(({ new_password }) => (new_password ? { new_password } : {}));
          }}
          error={local.confirm}
        />
        <Button type="submit" className="w-full" loading={reset.isPending}>
          Set new password
        </Button>
      </form>
    </AuthLayout>
  );
}
