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
    onSuccess: (organization) => client.setQueryData(accountKeys.organization, organization),
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
