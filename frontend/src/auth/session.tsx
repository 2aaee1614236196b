/**
 * Session state of this browser tab: which credentials it uses and what happens when
 * the server stops accepting them.
 */

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { useLocation } from 'wouter';
import { onUnauthorized } from '../api/client.ts';
import { resetCsrfToken } from '../api/csrf.ts';
import { clearApiKey, getApiKey, setApiKey, subscribeApiKey } from './credentials.ts';

export const CONNECT_PATH = '/connect';

/** The stored API key (re-renders when it changes). */
export function useApiKey(): string | null {
  return useSyncExternalStore(subscribeApiKey, getApiKey, () => null);
}

/** A same-app path to return to after connecting; anything else becomes `/`. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return next.startsWith(CONNECT_PATH) ? '/' : next;
}

export function connectUrl(next: string, reason?: 'expired' | 'signed-out'): string {
  const params = new URLSearchParams();
  if (next && next !== '/') params.set('next', next);
  if (reason) params.set('reason', reason);
  const query = params.toString();
  return query ? `${CONNECT_PATH}?${query}` : CONNECT_PATH;
}

export function useSessionActions() {
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();

  const connect = useCallback(
    (key: string) => {
      queryClient.clear();
      resetCsrfToken();
      setApiKey(key);
    },
    [queryClient],
  );

  const disconnect = useCallback(() => {
    clearApiKey();
    resetCsrfToken();
    queryClient.clear();
    navigate(connectUrl('/', 'signed-out'));
  }, [navigate, queryClient]);

  return { connect, disconnect };
}

/**
 * Sends the person to the Connect screen as soon as any request is refused with 401
 * (the key was revoked, the session expired), keeping where they were as `next`.
 */
export function SessionWatcher() {
  const [location, navigate] = useLocation();

  useEffect(
    () =>
      onUnauthorized(() => {
        const hadKey = getApiKey() !== null;
        clearApiKey();
        resetCsrfToken();
        // The cache is cleared when the next credentials are accepted (connect), not
        // here: clearing now would refetch every mounted query, without credentials.
        const here = location.startsWith(CONNECT_PATH) ? '/' : location;
        navigate(connectUrl(here, hadKey ? 'expired' : undefined), { replace: true });
      }),
    [location, navigate],
  );
  return null;
}
