import { render } from '@testing-library/react';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import { App, createQueryClient } from '../App.tsx';

/** The whole app at `path`, with an in-memory history to inspect. */
export function renderApp(path: string) {
  const location = memoryLocation({ path, record: true });
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  const view = render(
    <Router hook={location.hook} searchHook={location.searchHook}>
      <App queryClient={queryClient} />
    </Router>,
  );
  return { ...view, location, queryClient };
}
