import { useRef, useState, type FormEvent } from 'react';
import { useChangePassword, type AuthUser } from '../../../api/auth.ts';
import { Alert, Button, Card, CardBody, CardFooter, CardHeader, PasswordInput, useToast } from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { NEW_PASSWORD_HINT, newPasswordProblem } from '../../../lib/passwords.ts';

const FIELDS = ['current_password', 'new_password', 'confirm'] as const;
type FieldName = (typeof FIELDS)[number];
const CODE_TO_FIELD: Partial<Record<string, FieldName>> = {
  wrong_password: 'current_password',
  weak_password: 'new_password',
};

const EMPTY: Record<FieldName, string> = { current_password: '', new_password: '', confirm: '' };

/** Change (or, for accounts made by single sign-on, set) the password. */
export function ChangePasswordCard({ user }: { user: AuthUser }) {
  const change = useChangePassword();
  const toast = useToast();
  const [values, setValues] = useState(EMPTY);
  const [local, setLocal] = useState<Partial<Record<FieldName, string>>>({});
  const [attempted, setAttempted] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useServerErrors(change.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, change.error ?? (attempted || null));

  const set = (field: FieldName) => (event: { target: { value: string } }) => {
    setValues((current) => ({ ...current, [field]: event.target.value }));
    setLocal({});
    errors.edited(field);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Partial<Record<FieldName, string>> = {};
    if (user.has_password && !values.current_password) problems.current_password = 'Enter your current password.';
    const weak = newPasswordProblem(values.new_password);
    if (weak) problems.new_password = weak;
    else if (values.confirm !== values.new_password) problems.confirm = 'The two passwords are not the same.';
    setLocal(problems);
    setAttempted((count) => count + 1);
    if (Object.keys(problems).length) return;
    change.mutate(
      {
        new_password: values.new_password,
        ...(user.has_password ? { current_password: values.current_password } : {}),
      },
      {
        onSuccess: () => {
          setValues(EMPTY);
          toast.success('Password changed', 'You stay signed in here; your other sessions were signed out.');
        },
      },
    );
  };

  const error = (field: FieldName) => local[field] ?? errors.fields[field];
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-labelledby="password-title">
      <Card>
        <CardHeader
          titleId="password-title"
          title={user.has_password ? 'Password' : 'Set a password'}
          description={
            user.has_password
              ? 'Changing it signs you out everywhere else.'
              : 'You sign in with single sign-on. A password lets you sign in without it too.'
          }
        />
        <CardBody className="space-y-5">
          {errors.form && <Alert>{errors.form}</Alert>}
          {/* Lets password managers update the right entry. */}
          <input type="email" name="username" autoComplete="username" value={user.email} readOnly hidden />
          {user.has_password && (
            <PasswordInput
              label="Current password"
              name="current_password"
              autoComplete="current-password"
              value={values.current_password}
              onChange={set('current_password')}
              error={error('current_password')}
              containerClassName="sm:max-w-sm"
            />
          )}
          <div className="grid gap-5 sm:grid-cols-2">
            <PasswordInput
              label="New password"
              name="new_password"
              autoComplete="new-password"
              value={values.new_password}
              onChange={set('new_password')}
              error={error('new_password')}
              hint={NEW_PASSWORD_HINT}
            />
            <PasswordInput
              label="Confirm new password"
              name="confirm"
              autoComplete="new-password"
              value={values.confirm}
              onChange={set('confirm')}
              error={error('confirm')}
            />
          </div>
        </CardBody>
        <CardFooter>
          <Button type="submit" loading={change.isPending}>
            {user.has_password ? 'Change password' : 'Set password'}
          </Button>
        </CardFooter>
      </Card>
    </form>
  );
}
