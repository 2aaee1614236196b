/** Rendering one screen of an area in tests: its providers and a nested router at `base`. */

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { ToastProvider } from '../../components/ui/index.ts';

export function renderScreen(ui: ReactNode, { base = '/contacts', path = '' }: { base?: string; path?: string } = {}) {
  const location = memoryLocation({ path: `${base}${path}`, record: true });
  const queryClient = new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
  const view = render(
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <Router hook={location.hook} searchHook={location.searchHook}>
          <Router base={base}>{ui}</Router>
        </Router>
      </ToastProvider>
    </QueryClientProvider>,
  );
  return { ...view, location, queryClient };
}
