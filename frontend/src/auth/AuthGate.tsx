/**
 * The app renders only for a caller the API accepts; everyone else is led to sign in.
 *
 * - With an API key stored in this tab (Connect): the key must read the organization.
 * - Otherwise the session cookie: `GET /auth/me` says who is signed in and where. A
 *   half-finished sign-in goes to the MFA step; a person without a usable organization
 *   (none yet, or one that requires MFA they have not set up) gets the screen that fixes
 *   it. The app below is keyed by the organization: switching remounts it afresh.
 */

import { Fragment, lazy, Suspense, useMemo, type ReactNode } from 'react';
import { Redirect, useLocation, useSearch } from 'wouter';
import { useOrganization } from '../api/accounts.ts';
import { useMe, type AuthState } from '../api/auth.ts';
import { UnauthorizedError } from '../api/errors.ts';
import { Logo } from '../components/Icon.tsx';
import { QueryError } from '../components/QueryError.tsx';
import { LoadingRegion, Skeleton } from '../components/ui/index.ts';
import { connectUrl, mfaUrl, signInUrl, useApiKey } from './session.tsx';
import { ViewerProvider, type Viewer } from './viewer.tsx';

const OrganizationRequired = lazy(() => import('../screens/auth/OrganizationRequiredScreen.tsx'));

export function BootScreen() {
  return (
    <div className="flex min-h-screen items-center justify-center bg-slate-50">
      <LoadingRegion label="Loading EngageX…">
        <div className="flex flex-col items-center gap-6">
          <Logo />
          <Skeleton className="h-2 w-40" />
        </div>
      </LoadingRegion>
    </div>
  );
}

function LoadFailure({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="flex min-h-screen items-center justify-center bg-slate-50 p-6">
      <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white shadow-xs">
        <QueryError error={error} onRetry={onRetry} />
      </div>
    </div>
  );
}

/** Where the person is now, path and query, to come back to after signing in. */
function useHere(): string {
  const [location] = useLocation();
  const search = useSearch();
  return search ? `${location}?${search}` : location;
}

const API_KEY_VIEWER: Viewer = { kind: 'api_key', role: null, user: null, organization: null, organizations: [] };

function KeyGate({ children }: { children: ReactNode }) {
  const organization = useOrganization();
  const here = useHere();
  if (organization.isPending) return <BootScreen />;
  // The session watcher forgets the key and leads to Connect; this covers the first render.
  if (organization.error instanceof UnauthorizedError) return <Redirect to={connectUrl(here, 'expired')} replace />;
  if (organization.isError) {
    return <LoadFailure error={organization.error} onRetry={() => void organization.refetch()} />;
  }
  return <ViewerProvider viewer={API_KEY_VIEWER}>{children}</ViewerProvider>;
}

export function viewerOf(state: AuthState): Viewer {
  return {
    kind: 'session',
    role: state.organization?.role ?? null,
    user: state.user,
    organization: state.organization,
    organizations: state.organizations ?? [],
  };
}

function SessionGate({ children }: { children: ReactNode }) {
  const me = useMe();
  const here = useHere();
  const viewer = useMemo(() => (me.data ? viewerOf(me.data) : null), [me.data]);
  if (me.isPending) return <BootScreen />;
  if (me.error instanceof UnauthorizedError) {
    if (me.error.code === 'mfa_required') return <Redirect to={mfaUrl(here)} replace />;
    return <Redirect to={signInUrl(here, me.data ? 'expired' : undefined)} replace />;
  }
  if (!me.data || !viewer) return <LoadFailure error={me.error} onRetry={() => void me.refetch()} />;
  const state = me.data;
  if (!state.organization || state.problem) {
    return (
      <ViewerProvider viewer={viewer}>
        <Suspense fallback={<BootScreen />}>
          <OrganizationRequired state={state} />
        </Suspense>
      </ViewerProvider>
    );
  }
  return (
    <ViewerProvider viewer={viewer}>
      <Fragment key={state.organization.id}>{children}</Fragment>
    </ViewerProvider>
  );
}

export function AuthGate({ children }: { children: ReactNode }) {
  const key = useApiKey();
  return key ? <KeyGate>{children}</KeyGate> : <SessionGate>{children}</SessionGate>;
}
