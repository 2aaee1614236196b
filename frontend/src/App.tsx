import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { useOrganization } from './api/accounts.ts';
import { ApiError, NetworkError, UnauthorizedError } from './api/errors.ts';
import { CONNECT_PATH, SessionWatcher, connectUrl } from './auth/session.tsx';
import { Logo } from './components/Icon.tsx';
import { QueryError } from './components/QueryError.tsx';
import { AppShell } from './components/shell/AppShell.tsx';
import { LoadingRegion, Skeleton, ToastProvider } from './components/ui/index.ts';
import { HOME_PATH, SCREENS } from './routes.ts';
import { ConnectScreen } from './screens/ConnectScreen.tsx';
import { NotFoundScreen } from './screens/NotFoundScreen.tsx';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // A 4xx answer will not change on retry; a network blip or a 5xx might.
        retry: (failures, error) =>
          failures < 2 && (error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)),
      },
      mutations: { retry: false },
    },
  });
}

function BootScreen() {
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

/** Renders the app only for a caller the API accepts; otherwise leads to Connect. */
function AuthGate({ children }: { children: ReactNode }) {
  const organization = useOrganization();
  const [location] = useLocation();
  if (organization.isPending) return <BootScreen />;
  if (organization.error instanceof UnauthorizedError) return <Redirect to={connectUrl(location)} replace />;
  if (organization.isError) {
    return (
      <div className="flex min-h-screen items-center justify-center bg-slate-50 p-6">
        <div className="w-full max-w-md rounded-xl border border-slate-200 bg-white shadow-xs">
          <QueryError error={organization.error} onRetry={() => void organization.refetch()} />
        </div>
      </div>
    );
  }
  return <>{children}</>;
}

function AppRoutes() {
  return (
    <Switch>
      <Route path="/">
        <Redirect to={HOME_PATH} replace />
      </Route>
      {SCREENS.map(({ path, component: Screen, nested }) => (
        <Route key={path} path={path} nest={nested ?? false}>
          <Screen />
        </Route>
      ))}
      <Route component={NotFoundScreen} />
    </Switch>
  );
}

/** The whole SPA; the router (browser history, or memory in tests) comes from outside. */
export function App({ queryClient }: { queryClient?: QueryClient }) {
  const [client] = useState(() => queryClient ?? createQueryClient());
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>
        <SessionWatcher />
        <Switch>
          <Route path={CONNECT_PATH} component={ConnectScreen} />
          <Route>
            <AuthGate>
              <AppShell>
                <AppRoutes />
              </AppShell>
            </AuthGate>
          </Route>
        </Switch>
      </ToastProvider>
    </QueryClientProvider>
  );
}
