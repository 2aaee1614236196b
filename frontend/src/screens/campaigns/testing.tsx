/** Rendering the campaigns area in tests: its providers, a role, and typical API answers. */

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { Suspense } from 'react';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { ViewerProvider, type Viewer } from '../../auth/viewer.tsx';
import { ToastProvider } from '../../components/ui/index.ts';
import type { Role } from '../../lib/roles.ts';
import { orgRef } from '../../test/session.ts';
import CampaignsScreen from './CampaignsScreen.tsx';

function viewerAs(role: Role): Viewer {
  const organization = orgRef(role);
  return { kind: 'session', role, user: null, organization, organizations: [organization] };
}

/** /campaigns`path` as `role` sees it, with an in-memory history to inspect. */
export function renderCampaigns(path: string, { role = 'owner' }: { role?: Role } = {}) {
  const location = memoryLocation({ path: `/campaigns${path}`, record: true });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <ViewerProvider viewer={viewerAs(role)}>
          <Router hook={location.hook} searchHook={location.searchHook}>
            <Router base="/campaigns">
              <Suspense fallback={<p>Loading…</p>}>
                <CampaignsScreen />
              </Suspense>
            </Router>
          </Router>
        </ViewerProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );
  return { ...view, location, queryClient };
}
