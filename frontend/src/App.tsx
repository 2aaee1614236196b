import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense, useState } from 'react';
import { Redirect, Route, Switch } from 'wouter';
import { ApiError, NetworkError } from './api/errors.ts';
import { AuthGate, BootScreen } from './auth/AuthGate.tsx';
import { SessionWatcher } from './auth/session.tsx';
import { AppShell } from './components/shell/AppShell.tsx';
import { ToastProvider } from './components/ui/index.ts';
import { HOME_PATH, SCREENS } from './routes.ts';
import { PUBLIC_SCREENS } from './screens/auth/routes.ts';
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
          {PUBLIC_SCREENS.map(({ path, component: Screen }) => (
            <Route key={path} path={path}>
              <Suspense fallback={<BootScreen />}>
                <Screen />
              </Suspense>
            </Route>
          ))}
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
