import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { signUp, type SignUpInput } from '../../api/auth.ts';
import { SIGN_IN_PATH, useSessionActions } from '../../auth/session.tsx';
import { Alert, Button, Input, PasswordInput } from '../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { NEW_PASSWORD_HINT, newPasswordProblem } from '../../lib/passwords.ts';
import { AuthLayout, AuthLink } from './AuthLayout.tsx';

const FIELDS = ['name', 'email', 'password', 'organization_name'] as const;
type FieldName = (typeof FIELDS)[number];
const CODE_TO_FIELD: Partial<Record<string, FieldName>> = {
  invalid_email: 'email',
  email_taken: 'email',
  weak_password: 'password',
  invalid_name: 'organization_name',
  slug_taken: 'organization_name',
};

type Values = Record<FieldName, string>;

function localProblems(values: Values): Partial<Record<FieldName, string>> {
  const problems: Partial<Record<FieldName, string>> = {};
  if (!values.email.trim()) problems.email = 'Enter your work email.';
  const password = newPasswordProblem(values.password);
  if (password) problems.password = password;
  if (!values.organization_name.trim()) problems.organization_name = 'Name your organization (you can change it later).';
  return problems;
}

/** A new person and their first organization; they land in the app signed in. */
export default function SignUpScreen() {
  const [, navigate] = useLocation();
  const { startSession } = useSessionActions();
  const [values, setValues] = useState<Values>({ name: '', email: '', password: '', organization_name: '' });
  const [local, setLocal] = useState<Partial<Record<FieldName, string>>>({});
  const [attempted, setAttempted] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);

  const create = useMutation({
    mutationFn: (input: SignUpInput) => signUp(input),
    onSuccess: (state) => {
      startSession(state);
      navigate('/', { replace: true });
    },
  });
  const errors = useServerErrors(create.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, create.error ?? (attempted || null));

  const set = (field: FieldName) => (event: { target: { value: string } }) => {
    setValues((current) => ({ ...current, [field]: event.target.value }));
    setLocal((current) => {
      const { [field]: _removed, ...rest } = current;
      return rest;
    });
    errors.edited(field);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems = localProblems(values);
    setLocal(problems);
    setAttempted((count) => count + 1);
    if (Object.keys(problems).length) return;
    create.mutate({
      email: values.email.trim(),
      password: values.password,
      organization_name: values.organization_name.trim(),
      ...(values.name.trim() ? { name: values.name.trim() } : {}),
    });
  };

  const error = (field: FieldName) => local[field] ?? errors.fields[field];

  return (
    <AuthLayout
      title="Create your EngageX account"
      description="Start sending in minutes: create your account and your organization's workspace. You can invite your team next."
      footer={
        <p>
          Already have an account? <AuthLink href={SIGN_IN_PATH}>Sign in</AuthLink>
        </p>
      }
    >
      <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Create account">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Input
          label="Your name"
          name="name"
          autoComplete="name"
          value={values.name}
          onChange={set('name')}
          error={error('name')}
          optional
          autoFocus
        />
        <Input
          label="Work email"
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          value={values.email}
          onChange={set('email')}
          error={error('email')}
        />
        <PasswordInput
          label="Password"
          name="password"
          autoComplete="new-password"
          value={values.password}
          onChange={set('password')}
          error={error('password')}
          hint={NEW_PASSWORD_HINT}
        />
        <Input
          label="Organization name"
          name="organization_name"
          autoComplete="organization"
          value={values.organization_name}
          onChange={set('organization_name')}
          error={error('organization_name')}
          hint="Your company or team, as your contacts know it."
        />
        <Button type="submit" className="w-full" loading={create.isPending}>
          Create account
        </Button>
      </form>
    </AuthLayout>
  );
}
