/**
 * The auth API (blueprints/auth/): who is signed in, the ways in (password, second
 * factor, sign-up, invitation, password reset, single sign-on), organizations and
 * switching between them, sessions, MFA; as types and TanStack Query hooks.
 *
 * The public routes answer 401 for a wrong password or code: those requests pass
 * `ignoreUnauthorized` so that the app does not take them for a lost session.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Role } from '../lib/roles.ts';
import { api } from './client.ts';

export interface AuthUser {
  id: number;
  email: string;
  name: string | null;
  has_password: boolean;
  mfa_enabled: boolean;
  recovery_codes_left: number;
}

/** One of the person's organizations and their role in it. */
export interface OrganizationRef {
  id: number;
  slug: string;
  name: string;
  role: Role;
  require_mfa: boolean;
  /** The role's permissions, when the server lists them (else the app's mirror decides). */
  permissions?: string[];
}

export interface AuthProblem {
  /** `organization_required` or `mfa_enrollment_required`. */
  code: string;
  message: string;
}

/** `GET /auth/me` and the answer of every completed sign-in. */
export interface AuthState {
  mfa_required: boolean;
  user: AuthUser | null;
  organization: OrganizationRef | null;
  organizations?: OrganizationRef[];
  csrf_token: string | null;
  problem?: AuthProblem | null;
}

export interface AuthSessionInfo {
  id: number;
  /** `password`, `invitation`, `oidc` (the first factor that opened it). */
  method: string;
  current_organization_id: number | null;
  ip_address: string | null;
  user_agent: string | null;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  current: boolean;
}

export interface InvitationPreview {
  email: string;
  role: Role;
  organization: { name: string; slug: string };
  expires_at: string;
  account_exists: boolean;
  needs_password: boolean;
}

export interface InvitationAccepted {
  organization_id: number;
  member_id: number;
  role: Role;
  signed_in: boolean;
  state: AuthState | null;
}

export interface OidcInfo {
  enabled: boolean;
  issuer: string | null;
  start_url: string | null;
}

export interface TotpSetup {
  secret: string;
  otpauth_uri: string;
}

export const authKeys = {
  me: ['auth', 'me'] as const,
  sessions: ['auth', 'sessions'] as const,
  oidc: ['auth', 'oidc'] as const,
  invitation: (token: string) => ['auth', 'invitation', token] as const,
  securityPolicy: ['organization', 'security'] as const,
};

const PUBLIC = { ignoreUnauthorized: true } as const;

/** Its 401 is handled by whoever asks (the auth gate redirects to sign-in itself). */
export function fetchMe(): Promise<AuthState> {
  return api.get<AuthState>('/auth/me', PUBLIC);
}

/** The signed-in person (cookie sessions only: API keys have no person). */
export function useMe({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({ queryKey: authKeys.me, queryFn: fetchMe, enabled });
}

// --- the ways in ---------------------------------------------------------------------

export interface SignInInput {
  email: string;
  password: string;
  organization_id?: number;
}

export const signIn = (input: SignInInput) => api.post<AuthState>('/auth/sign-in', input, PUBLIC);

export const signInMfa = (code: string) => api.post<AuthState>('/auth/sign-in/mfa', { code }, PUBLIC);

export interface SignUpInput {
  email: string;
  password: string;
  name?: string;
  organization_name: string;
}

export const signUp = (input: SignUpInput) => api.post<AuthState>('/auth/sign-up', input, PUBLIC);

export const requestPasswordReset = (email: string) =>
  api.post<void>('/auth/password/reset-request', { email }, PUBLIC);

export const resetPassword = (token: string, newPassword: string) =>
  api.post<void>('/auth/password/reset', { token, new_password: newPassword }, PUBLIC);

export function useInvitationPreview(token: string) {
  return useQuery({
    queryKey: authKeys.invitation(token),
    queryFn: () => api.get<InvitationPreview>('/auth/invitation', { query: { token }, ...PUBLIC }),
    enabled: token.length > 0,
    retry: false,
    staleTime: Infinity,
  });
}

export interface AcceptInput {
  token: string;
  name?: string;
  password?: string;
}

export const acceptInvitation = (input: AcceptInput) =>
  api.post<InvitationAccepted>('/auth/invitation/accept', input, PUBLIC);

export function useOidcInfo() {
  return useQuery({
    queryKey: authKeys.oidc,
    queryFn: () => api.get<OidcInfo>('/auth/oidc', PUBLIC),
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** Where the SSO button leads: the server redirects to the provider, then to `next`. */
export function oidcStartUrl(info: OidcInfo, next: string): string {
  const base = info.start_url ?? '/api/v1/auth/oidc/start';
  return next && next !== '/' ? `${base}?${new URLSearchParams({ next })}` : base;
}

export const signOut = () => api.post<void>('/auth/sign-out', undefined, PUBLIC);

// --- organizations -------------------------------------------------------------------

export const switchOrganization = (organizationId: number) =>
  api.post<AuthState>('/auth/switch-org', { organization_id: organizationId });

export const createOrganization = (name: string) => api.post<OrganizationRef>('/organizations', { name });

export function useSecurityPolicy({ enabled = true }: { enabled?: boolean } = {}) {
  return useQuery({
    queryKey: authKeys.securityPolicy,
    queryFn: () => api.get<{ require_mfa: boolean }>('/organization/security'),
    enabled,
  });
}

export function useSetSecurityPolicy() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (requireMfa: boolean) =>
      api.put<{ require_mfa: boolean }>('/organization/security', { require_mfa: requireMfa }),
    onSuccess: (policy) => {
      client.setQueryData(authKeys.securityPolicy, policy);
      void client.invalidateQueries({ queryKey: authKeys.me });
    },
  });
}

// --- the person's own account --------------------------------------------------------

export function useUpdateProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string | null) => api.patch<AuthState>('/auth/me', { name }),
    onSuccess: (state) => client.setQueryData(authKeys.me, state),
  });
}

export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { current_password?: string; new_password: string }) =>
      api.post<AuthState>('/auth/password/change', input),
    onSuccess: (state) => {
      client.setQueryData(authKeys.me, state);
      void client.invalidateQueries({ queryKey: authKeys.sessions });
    },
  });
}

export function useSessions() {
  return useQuery({
    queryKey: authKeys.sessions,
    queryFn: () => api.get<{ items: AuthSessionInfo[] }>('/auth/sessions'),
    select: (data) => data.items,
  });
}

export function useRevokeSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/auth/sessions/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.sessions }),
  });
}

export const beginTotp = () => api.post<TotpSetup>('/auth/mfa/totp');

export const confirmTotp = (code: string) =>
  api.post<{ recovery_codes: string[] }>('/auth/mfa/totp/confirm', { code });

export function useDisableTotp() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api.post<void>('/auth/mfa/totp/disable', { code }),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.me }),
  });
}

export function useRegenerateRecoveryCodes() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api.post<{ recovery_codes: string[] }>('/auth/mfa/recovery-codes', { code }),
    onSuccess: () => client.invalidateQueries({ queryKey: authKeys.me }),
  });
}
