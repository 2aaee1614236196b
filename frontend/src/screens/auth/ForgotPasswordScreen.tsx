import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useSearch } from 'wouter';
import { requestPasswordReset } from '../../api/auth.ts';
import { SIGN_IN_PATH } from '../../auth/session.tsx';
import { Alert, Button, Input } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { AuthLayout, AuthLink } from './AuthLayout.tsx';

const FIELDS = ['email'] as const;
const CODE_TO_FIELD = { invalid_email: 'email' } as const;

/** Asks for a reset link. The answer is the same whether the account exists or not. */
export default function ForgotPasswordScreen() {
  const search = new URLSearchParams(useSearch());
  const [email, setEmail] = useState(search.get('email') ?? '');
  const [missing, setMissing] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const request = useMutation({ mutationFn: (address: string) => requestPasswordReset(address) });
  const errors = useServerErrors(request.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, request.error ?? missing);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      setMissing('Enter the email address you sign in with.');
      return;
    }
    setMissing(null);
    request.mutate(email.trim());
  };

  const footer = (
    <p>
      Remembered it? <AuthLink href={SIGN_IN_PATH}>Back to sign in</AuthLink>
    </p>
  );

  if (request.isSuccess) {
    return (
      <AuthLayout title="Check your inbox" footer={footer}>
        <Alert tone="success" title="If there is an account for this address, a link is on its way">
          We sent it to <strong className="break-all">{request.variables}</strong>. It works once, for one hour. Check
          your spam folder if it has not arrived in a few minutes.
        </Alert>
        <Button variant="secondary" className="mt-5 w-full" onClick={() => request.reset()}>
          Use another address
        </Button>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout
      title="Reset your password"
      description="Enter the email address you sign in with, and we will send you a link to choose a new password."
      footer={footer}
    >
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Reset password">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Email"
          name="email"
          type="email"
          inputMode="email"
          autoComplete="username"
          value={email}
          onChange={(event) => {
            setEmail(event.target.value);
            setMissing(null);
            errors.edited('email');
          }}
          error={missing ?? errors.fields.email}
          autoFocus
        />
        <Button type="submit" className="w-full" loading={request.isPending}>
          Email me a reset link
        </Button>
      </form>
    </AuthLayout>
  );
}
