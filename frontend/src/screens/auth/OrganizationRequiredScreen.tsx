import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { authKeys, type AuthState } from '../../api/auth.ts';
import { useSessionActions } from '../../auth/session.tsx';
import { Icon } from '../../components/Icon.tsx';
import { CreateOrganizationDialog } from '../../components/shell/CreateOrganizationDialog.tsx';
import { useSwitchOrganization } from '../../components/shell/useSwitchOrganization.ts';
import { Alert, Button, Initials } from '../../components/ui/index.ts';
import { roleLabel } from '../../lib/roles.ts';
import { MfaEnrolment } from '../settings/security/MfaEnrolment.tsx';
import { AuthLayout } from './AuthLayout.tsx';

function OtherOrganizations({ state }: { state: AuthState }) {
  const switchTo = useSwitchOrganization();
  const others = (state.organizations ?? []).filter((org) => org.id !== state.organization?.id);
  if (others.length === 0) return null;
  return (
    <div className="mt-6">
      <h2 className="text-sm font-semibold text-slate-900">Your organizations</h2>
      <ul className="mt-2 divide-y divide-slate-100 rounded-lg ring-1 ring-slate-200">
        {others.map((org) => (
          <li key={org.id} className="flex items-center gap-3 px-3 py-2.5">
            <Initials of={org.name} className="size-8 rounded-lg bg-slate-900 text-white" />
            <span className="min-w-0 flex-1">
              <span className="block truncate text-sm font-medium text-slate-900">{org.name}</span>
              <span className="block text-xs text-slate-500">{roleLabel(org.role)}</span>
            </span>
            <Button
              variant="secondary"
              size="sm"
              onClick={() => switchTo.mutate(org.id)}
              loading={switchTo.isPending && switchTo.variables === org.id}
              aria-label={`Open ${org.name}`}
            >
              Open
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function SignOutLink() {
  const { signOut } = useSessionActions();
  return (
    <p>
      <button
        type="button"
        onClick={() => void signOut()}
        className="rounded font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        Sign out
      </button>
    </p>
  );
}

/** The organization requires two-step verification and the person has not set it up. */
function MfaRequired({ state }: { state: AuthState }) {
  const client = useQueryClient();
  const name = state.organization?.name ?? 'This organization';
  return (
    <AuthLayout
      wide
      title="Set up two-step verification"
      description={`${name} requires two-step verification of every member. Set it up once, and you are in.`}
      footer={<SignOutLink />}
    >
      <MfaEnrolment
        email={state.user?.email}
        onDone={() => void client.invalidateQueries({ queryKey: authKeys.me })}
      />
      <OtherOrganizations state={state} />
    </AuthLayout>
  );
}

/** Signed in, but in no organization (new via single sign-on, or removed from the last one). */
function NoOrganization({ state }: { state: AuthState }) {
  const [creating, setCreating] = useState(false);
  const hasOthers = (state.organizations ?? []).length > 0;
  return (
    <AuthLayout
      title={hasOthers ? 'Choose an organization' : 'Create your organization'}
      description={
        hasOthers
          ? 'Pick the organization to work in.'
          : 'Your account is not part of any organization yet. Create one, or open the invitation email a teammate sent you.'
      }
      footer={<SignOutLink />}
    >
      {state.problem && hasOthers && <Alert tone="info">{state.problem.message}</Alert>}
      <OtherOrganizations state={state} />
      <Button className="mt-6 w-full" variant={hasOthers ? 'secondary' : 'primary'} onClick={() => setCreating(true)} icon={<Icon name="plus" className="size-4" />}>
        Create an organization
      </Button>
      <CreateOrganizationDialog open={creating} onClose={() => setCreating(false)} />
    </AuthLayout>
  );
}

export default function OrganizationRequiredScreen({ state }: { state: AuthState }) {
  return state.problem?.code === 'mfa_enrollment_required' ? <MfaRequired state={state} /> : <NoOrganization state={state} />;
}
