/**
 * The accounts resources (blueprints/accounts/api.py): the organization, its members and
 * its API keys, as types and TanStack Query hooks.
 */

import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
} from '@tanstack/react-query';
import type { Role } from '../lib/roles.ts';
import { api, type Page } from './client.ts';

export interface Organization {
  id: number;
  slug: string;
  name: string;
  default_from_name: string | null;
  default_from_email: string | null;
  timezone: string;
  created_at: string;
}

export type OrganizationUpdate = Partial<
  Pick<Organization, 'name' | 'default_from_name' | 'default_from_email' | 'timezone'>
>;

export interface Member {
  id: number;
  role: Role;
  user: { id: number; email: string; name: string | null };
  created_at: string;
}

export interface ApiKey {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  created_at: string;
}

export interface CreatedApiKey extends ApiKey {
  /** The bearer token; the API returns it only in this response. */
  key: string;
}

export const PAGE_SIZE = 25;

export const accountKeys = {
  organization: ['organization'] as const,
  members: ['members'] as const,
  apiKeys: ['api-keys'] as const,
};

export function fetchOrganization(apiKey?: string): Promise<Organization> {
  return api.get<Organization>('/organization', apiKey === undefined ? {} : { apiKey });
}

export function useOrganization() {
  return useQuery({ queryKey: accountKeys.organization, queryFn: () => fetchOrganization() });
}

export function useUpdateOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (changes: OrganizationUpdate) => api.patch<Organization>('/organization', changes),
    onSuccess: (organization) => {
      client.setQueryData(accountKeys.organization, organization);
      // The organization switcher shows the name from the signed-in person's state.
      void client.invalidateQueries({ queryKey: ['auth', 'me'] });
    },
  });
}

/** A keyset-paginated list: pages are fetched on demand with `fetchNextPage()`. */
export function usePagedList<T>(queryKey: readonly string[], path: string) {
  return useInfiniteQuery<Page<T>, Error, InfiniteData<Page<T>>, readonly string[], string | null>({
    queryKey,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<T>>(path, { query: { limit: PAGE_SIZE, cursor: pageParam }, signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useMembers() {
  return usePagedList<Member>(accountKeys.members, '/members');
}

export function useApiKeys() {
  return usePagedList<ApiKey>(accountKeys.apiKeys, '/api-keys');
}

export function useCreateApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; role: Role }) => api.post<CreatedApiKey>('/api-keys', input),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.apiKeys }),
  });
}

export function useRevokeApiKey() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/api-keys/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.apiKeys }),
  });
}

// --- team: roles, removal, invitations ---------------------------------------------

export interface Invitation {
  id: number;
  email: string;
  role: Role;
  /** `pending`, `accepted`, `revoked` or `expired`. */
  status: string;
  invited_by: { id: number; email: string; name: string | null } | null;
  expires_at: string;
  sent_at: string | null;
  accepted_at: string | null;
  created_at: string;
}

export const invitationKeys = { pending: ['invitations', 'pending'] as const };

export function usePendingInvitations({ enabled = true }: { enabled?: boolean } = {}) {
  return useInfiniteQuery<Page<Invitation>, Error, InfiniteData<Page<Invitation>>, readonly string[], string | null>({
    queryKey: invitationKeys.pending,
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<Invitation>>('/invitations', {
        query: { limit: PAGE_SIZE, cursor: pageParam, status: 'pending' },
        signal,
      }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  });
}

export function useInvite() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; role: Role }) => api.post<Invitation>('/invitations', input),
    onSuccess: () => client.invalidateQueries({ queryKey: invitationKeys.pending }),
  });
}

export function useResendInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.post<Invitation>(`/invitations/${id}/resend`),
    onSuccess: () => client.invalidateQueries({ queryKey: invitationKeys.pending }),
  });
}

export function useRevokeInvitation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/invitations/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: invitationKeys.pending }),
  });
}

/** The members list with one member replaced (a changed role), without a refetch. */
export function replaceMember(
  data: InfiniteData<Page<Member>> | undefined,
  member: Member,
): InfiniteData<Page<Member>> | undefined {
  if (!data) return data;
  return {
    ...data,
    pages: data.pages.map((page) => ({
      ...page,
      items: page.items.map((item) => (item.id === member.id ? member : item)),
    })),
  };
}

export function useSetMemberRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, role }: { id: number; role: Role }) => api.patch<Member>(`/members/${id}`, { role }),
    onSuccess: (member) => {
      client.setQueryData<InfiniteData<Page<Member>>>(accountKeys.members, (data) => replaceMember(data, member));
      // The signed-in person's own role may have changed.
      void client.invalidateQueries({ queryKey: ['auth', 'me'] });
    },
  });
}

export function useRemoveMember() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/members/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: accountKeys.members }),
  });
}
