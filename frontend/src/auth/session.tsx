/**
 * Session state of this browser: which credentials it uses, the ways in and out, and
 * what happens when the server stops accepting them.
 *
 * A person signs in with a cookie session (the primary way); "Use an API key" (Connect)
 * remains for scripts' keys, kept in this tab's sessionStorage. With a stored key the
 * client sends it and the cookie is ignored by the server.
 */

import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { useLocation } from 'wouter';
import { authKeys, signOut as postSignOut, type AuthState } from '../api/auth.ts';
import { onUnauthorized } from '../api/client.ts';
import { resetCsrfToken } from '../api/csrf.ts';
import { clearApiKey, getApiKey, setApiKey, subscribeApiKey } from './credentials.ts';

export const CONNECT_PATH = '/connect';
export const SIGN_IN_PATH = '/sign-in';
export const MFA_PATH = '/sign-in/mfa';
export const SIGN_UP_PATH = '/sign-up';
export const FORGOT_PASSWORD_PATH = '/forgot-password';
export const RESET_PASSWORD_PATH = '/reset-password';
export const ACCEPT_INVITATION_PATH = '/invitations/accept';

/** The pages of people who are not (yet) signed in; no 401 leads away from them. */
export const PUBLIC_PATHS = [
  CONNECT_PATH,
  SIGN_IN_PATH,
  SIGN_UP_PATH,
  FORGOT_PASSWORD_PATH,
  RESET_PASSWORD_PATH,
  ACCEPT_INVITATION_PATH,
] as const;

export function isPublicPath(location: string): boolean {
  const path = location.split('?')[0]!;
  return PUBLIC_PATHS.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/** Why the person lands on the sign-in or Connect page (a sentence is shown for each). */
export type ArrivalReason = 'expired' | 'signed-out' | 'password-reset' | 'joined';

/** The stored API key (re-renders when it changes). */
export function useApiKey(): string | null {
  return useSyncExternalStore(subscribeApiKey, getApiKey, () => null);
}

/** A same-app path to return to after signing in; anything else (or a public page) is `/`. */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return isPublicPath(next) ? '/' : next;
}

function withQuery(path: string, params: Record<string, string | undefined>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value && !(key === 'next' && value === '/')) query.set(key, value);
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

export function connectUrl(next: string, reason?: ArrivalReason): string {
  return withQuery(CONNECT_PATH, { next, reason });
}

/** `extra`: prefill the email; start in organization `org` (after joining it). */
export function signInUrl(next: string, reason?: ArrivalReason, extra: { email?: string; org?: number } = {}): string {
  return withQuery(SIGN_IN_PATH, { next, reason, email: extra.email, org: extra.org?.toString() });
}

export function mfaUrl(next: string): string {
  return withQuery(MFA_PATH, { next });
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

  /** After a completed sign-in (password + code, sign-up, invitation): a fresh start. */
  const startSession = useCallback(
    (state: AuthState) => {
      clearApiKey();
      resetCsrfToken();
      queryClient.clear();
      queryClient.setQueryData(authKeys.me, state);
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await postSignOut();
    } catch {
      // Already signed out (expired) or offline: the person still leaves; the cookie is
      // HttpOnly and dies with the session on the server.
    }
    navigate(signInUrl('/', 'signed-out'));
    resetCsrfToken();
    queryClient.clear();
  }, [navigate, queryClient]);

  return { connect, disconnect, startSession, signOut };
}

/**
 * Sends the person to sign in again as soon as any request is refused with 401 (the key
 * was revoked, the session expired or was signed out elsewhere), keeping where they were
 * as `next`. A half-finished sign-in (password given, code not yet) goes to the MFA step.
 */
export function SessionWatcher() {
  const [location, navigate] = useLocation();
  const queryClient = useQueryClient();

  useEffect(
    () =>
      onUnauthorized((error) => {
        if (isPublicPath(location)) return;
        const hadKey = getApiKey() !== null;
        const hadSession = queryClient.getQueryData(authKeys.me) !== undefined;
        clearApiKey();
        resetCsrfToken();
        // The cache is cleared when the next credentials are accepted, not here: clearing
        // now would refetch every mounted query, without credentials.
        queryClient.removeQueries({ queryKey: authKeys.me });
        if (hadKey) navigate(connectUrl(location, 'expired'), { replace: true });
        else if (error.code === 'mfa_required') navigate(mfaUrl(location), { replace: true });
        else navigate(signInUrl(location, hadSession ? 'expired' : undefined), { replace: true });
      }),
    [location, navigate, queryClient],
  );
  return null;
}
