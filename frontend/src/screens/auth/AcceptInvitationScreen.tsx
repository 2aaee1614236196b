import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { useLocation, useSearch } from 'wouter';
import {
  acceptInvitation,
  authKeys,
  fetchMe,
  useInvitationPreview,
  useMe,
  type AcceptInput,
  type InvitationPreview,
} from '../../api/auth.ts';
import { ApiError, describeError } from '../../api/errors.ts';
import { SIGN_IN_PATH, signInUrl, useSessionActions } from '../../auth/session.tsx';
import { Icon } from '../../components/Icon.tsx';
import { Alert, Badge, Button, Input, LoadingRegion, PasswordInput, Skeleton } from '../../components/ui/index.ts';
import { formatDateTime } from '../../lib/format.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../lib/forms.ts';
import { NEW_PASSWORD_HINT, newPasswordProblem } from '../../lib/passwords.ts';
import { ROLE_DESCRIPTIONS, roleLabel } from '../../lib/roles.ts';
import { AuthLayout, AuthLink } from './AuthLayout.tsx';

const FIELDS = ['name', 'password'] as const;
const CODE_TO_FIELD = { weak_password: 'password', password_required: 'password', invalid_name: 'name' } as const;

/** Why an invitation link cannot be used (codes of blueprints/accounts/services/invitations.py). */
const DEAD_INVITATIONS: Record<string, { title: string; text: string }> = {
  token_expired: {
    title: 'This invitation has expired',
    text: 'Invitations work for 7 days. Ask the person who invited you to send a new one.',
  },
  invitation_used: {
    title: 'This invitation was already accepted',
    text: 'If it was you, sign in to work in the organization.',
  },
  invitation_revoked: {
    title: 'This invitation is no longer valid',
    text: 'It was withdrawn, or replaced by a newer invitation: use the link of the most recent email.',
  },
  invalid_token: {
    title: 'This invitation link is not valid',
    text: 'Check that you opened the whole link from the email.',
  },
  wrong_account: {
    title: 'This invitation is for another address',
    text: 'Sign out, then open the link again.',
  },
};

function DeadInvitation({ code, fallback }: { code: string; fallback?: string }) {
  const dead = DEAD_INVITATIONS[code] ?? { title: 'This invitation cannot be opened', text: fallback ?? '' };
  return (
    <AuthLayout
      title={dead.title}
      footer={
        <p>
          <AuthLink href={SIGN_IN_PATH}>Go to sign in</AuthLink>
        </p>
      }
    >
      <Alert tone="warning">{dead.text}</Alert>
    </AuthLayout>
  );
}

function InvitationSummary({ invitation }: { invitation: InvitationPreview }) {
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 rounded-lg bg-slate-50 p-4 text-sm ring-1 ring-slate-200">
      <dt className="text-slate-500">Email</dt>
      <dd className="font-medium break-all text-slate-900">{invitation.email}</dd>
      <dt className="text-slate-500">Role</dt>
      <dd>
        <span className="font-medium text-slate-900">{roleLabel(invitation.role)}</span>
        <span className="block text-slate-500">{ROLE_DESCRIPTIONS[invitation.role]}</span>
      </dd>
      <dt className="text-slate-500">Valid until</dt>
      <dd className="text-slate-700">{formatDateTime(invitation.expires_at)}</dd>
    </dl>
  );
}

function AcceptForm({ token, invitation }: { token: string; invitation: InvitationPreview }) {
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const { startSession } = useSessionActions();
  const me = useMe();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const accept = useMutation({
    mutationFn: (input: AcceptInput) => acceptInvitation(input),
    onSuccess: async (result) => {
      if (result.signed_in && result.state) {
        startSession(result.state);
        navigate('/', { replace: true });
        return;
      }
      // Already signed in as the invited person: the server moved the session to the new
      // organization. Anyone else signs in as the invited person.
      const signedInAs = me.data?.user?.email;
      if (signedInAs && signedInAs.toLowerCase() === invitation.email.toLowerCase()) {
        startSession(await fetchMe());
        navigate('/', { replace: true });
        return;
      }
      queryClient.removeQueries({ queryKey: authKeys.me });
      navigate(signInUrl('/', 'joined', { email: invitation.email, org: result.organization_id }), { replace: true });
    },
  });
  const errors = useServerErrors(accept.error, FIELDS, CODE_TO_FIELD);
  useFocusFirstInvalid(formRef, accept.error ?? local);

  if (accept.error instanceof ApiError && DEAD_INVITATIONS[accept.error.code]) {
    return <DeadInvitation code={accept.error.code} />;
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invitation.needs_password) {
      const problem = newPasswordProblem(password);
      setLocal(problem);
      if (problem) return;
    }
    accept.mutate({
      token,
      ...(invitation.needs_password ? { password } : {}),
      ...(name.trim() ? { name: name.trim() } : {}),
    });
  };

  const signedInAsOther =
    me.data?.user && me.data.user.email.toLowerCase() !== invitation.email.toLowerCase() ? me.data.user.email : null;

  return (
    <form ref={formRef} onSubmit={submit} noValidate className="space-y-5" aria-label="Accept invitation">
      <InvitationSummary invitation={invitation} />
      {signedInAsOther && (
        <Alert tone="info">
          You are signed in as {signedInAsOther}. The invitation is for {invitation.email}: accepting it adds that
          account, and you then sign in with it.
        </Alert>
      )}
      {errors.form && <Alert>{errors.form}</Alert>}
      {invitation.needs_password ? (
        <>
          {!invitation.account_exists && (
            <Input
              label="Your name"
              name="name"
              autoComplete="name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                errors.edited('name');
              }}
              error={errors.fields.name}
              optional
              autoFocus
            />
          )}
          {/* Lets password managers save the new password under the right account. */}
          <input type="email" name="username" autoComplete="username" value={invitation.email} readOnly hidden />
          <PasswordInput
            label="Choose a password"
            name="password"
            autoComplete="new-password"
            value={password}
            onChange={(event) => {
              setPassword(event.target.value);
              setLocal(null);
              errors.edited('password');
            }}
            error={local ?? errors.fields.password}
            hint={NEW_PASSWORD_HINT}
            autoFocus={invitation.account_exists}
          />
          <Button type="submit" className="w-full" loading={accept.isPending}>
            Create account and join
          </Button>
        </>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            You already have an EngageX account with this address. Accept, then sign in with it to start working in{' '}
            {invitation.organization.name}.
          </p>
          <Button type="submit" className="w-full" loading={accept.isPending} autoFocus>
            Accept invitation
          </Button>
        </>
      )}
    </form>
  );
}

/** `/invitations/accept?token=...`: the link of the invitation email. */
export default function AcceptInvitationScreen() {
  const token = new URLSearchParams(useSearch()).get('token') ?? '';
  const preview = useInvitationPreview(token);

  if (!token) return <DeadInvitation code="invalid_token" />;
  if (preview.isError) {
    const error = preview.error;
    return <DeadInvitation code={error instanceof ApiError ? error.code : 'unknown'} fallback={describeError(error)} />;
  }
  if (preview.isPending) {
    return (
      <AuthLayout title="Opening your invitation…">
        <LoadingRegion label="Loading the invitation…">
          <Skeleton className="h-24 w-full" />
          <Skeleton className="mt-5 h-10 w-full" />
        </LoadingRegion>
      </AuthLayout>
    );
  }
  const invitation = preview.data;
  return (
    <AuthLayout
      title={`Join ${invitation.organization.name} on EngageX`}
      badge={
        <Badge tone="brand" className="gap-1">
          <Icon name="team" className="size-3.5" />
          Invitation
        </Badge>
      }
      description={
        invitation.needs_password
          ? 'You were invited to work in this organization. Choose a password to create your account.'
          : 'You were invited to work in this organization.'
      }
      footer={
        <p>
          Not expecting this? You can ignore it: nothing happens until you accept.
        </p>
      }
    >
      <AcceptForm token={token} invitation={invitation} />
    </AuthLayout>
  );
}
