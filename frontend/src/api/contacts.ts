/**
 * Contacts (blueprints/contacts/api.py, api_lists.py): contacts, custom fields and groups,
 * as types and TanStack Query hooks.
 *
 * Segments and suppressions are in segments.ts, imports, exports and downloads in
 * imports.ts; both build on the query keys and list helpers exported here.
 */

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api, type Page, type QueryValue } from './client.ts';

// --- types -------------------------------------------------------------------------------

export const CONTACT_STATUSES = ['subscribed', 'unsubscribed', 'bounced', 'complained'] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];
export const FIELD_TYPES = ['text', 'number', 'date', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export type AttributeValue = string | number | boolean | null;

export interface Contact {
  id: number;
  email: string;
  first_name: string | null;
  last_name: string | null;
  attributes: Record<string, AttributeValue>;
  status: ContactStatus;
  source: string | null;
  consent_at: string | null;
  consent_ip: string | null;
  group_ids: number[];
  created_at: string;
  updated_at: string;
}

export interface ContactInput {
  email?: string;
  first_name?: string | null;
  last_name?: string | null;
  status?: ContactStatus;
  /** Merged into the stored attributes; null removes a value. */
  attributes?: Record<string, AttributeValue>;
  /** Replaces the set of groups. */
  group_ids?: number[];
}

export interface ContactField {
  id: number;
  /** The key in `attributes`. */
  name: string;
  label: string | null;
  type: FieldType;
  created_at: string;
}

export interface Group {
  id: number;
  name: string;
  description: string | null;
  contact_count: number;
  created_at: string;
}

export interface Erasure {
  contacts: number;
  suppressions: number;
  rejected_rows: number;
  import_reports: number;
}

export interface ContactFilters {
  q?: string;
  status?: ContactStatus;
  group_id?: number;
  segment_id?: number;
}

// --- query keys --------------------------------------------------------------------------

/**
 * The query keys of the whole contacts area, segments.ts and imports.ts included: a change
 * in one invalidates the others' data (an import adds contacts, groups and fields; erasing
 * a contact changes the suppressions), and one table keeps those prefixes in step.
 */
export const contactKeys = {
  all: ['contacts'] as const,
  lists: ['contacts', 'list'] as const,
  list: (filters: ContactFilters) => ['contacts', 'list', filters] as const,
  count: (filters: ContactFilters) => ['contacts', 'count', filters] as const,
  detail: (id: number) => ['contacts', 'detail', id] as const,
  fields: ['contact-fields'] as const,
  groups: ['groups'] as const,
  segments: ['segments'] as const,
  segment: (id: number) => ['segments', 'detail', id] as const,
  segmentCount: (definition: string) => ['segments', 'count', definition] as const,
  segmentPreview: (definition: string) => ['segments', 'preview', definition] as const,
  suppressions: ['suppressions'] as const,
  imports: ['contact-imports', 'list'] as const,
  import: (id: number) => ['contact-imports', 'detail', id] as const,
};

/** Contacts per request: one page fills a tall screen and a bit more. */
export const CONTACTS_PAGE_SIZE = 100;
const LIST_ALL_PAGE = 200;
const LIST_ALL_MAX_PAGES = 25;

function filterQuery(filters: ContactFilters): Record<string, QueryValue> {
  return { q: filters.q || undefined, status: filters.status, group_id: filters.group_id, segment_id: filters.segment_id };
}

/** Every page of a (short) list, e.g. the groups for a picker; stops at 5,000 items. */
export async function listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < LIST_ALL_MAX_PAGES; page++) {
    const result: Page<T> = await api.get<Page<T>>(path, { query: { limit: LIST_ALL_PAGE, cursor }, ...(signal ? { signal } : {}) });
    items.push(...result.items);
    cursor = result.next_cursor;
    if (!cursor) break;
  }
  return items;
}

/** A keyset-paginated list with a page size of its own and extra query parameters. */
export function usePages<T>(queryKey: readonly unknown[], path: string, query: Record<string, QueryValue>, limit: number) {
  return useInfiniteQuery<Page<T>, Error, InfiniteData<Page<T>>, readonly unknown[], string | null>({
    queryKey,
    queryFn: ({ pageParam, signal }) => api.get<Page<T>>(path, { query: { ...query, limit, cursor: pageParam }, signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

// --- contacts ----------------------------------------------------------------------------

export function useContacts(filters: ContactFilters) {
  return usePages<Contact>(contactKeys.list(filters), '/contacts', filterQuery(filters), CONTACTS_PAGE_SIZE);
}

export function useContactCount(filters: ContactFilters) {
  return useQuery({
    queryKey: contactKeys.count(filters),
    queryFn: ({ signal }) => api.get<{ count: number }>('/contacts/count', { query: filterQuery(filters), signal }),
    placeholderData: keepPreviousData,
  });
}

export function useContact(id: number) {
  return useQuery({
    queryKey: contactKeys.detail(id),
    queryFn: ({ signal }) => api.get<Contact>(`/contacts/${id}`, { signal }),
  });
}

export function useCreateContact() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ContactInput & { email: string }) => api.post<Contact>('/contacts', input),
    onSuccess: (contact) => {
      client.setQueryData(contactKeys.detail(contact.id), contact);
      void client.invalidateQueries({ queryKey: contactKeys.all });
      void client.invalidateQueries({ queryKey: contactKeys.groups });
    },
  });
}

export function useUpdateContact(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ContactInput) => api.patch<Contact>(`/contacts/${id}`, input),
    onSuccess: (contact) => {
      client.setQueryData(contactKeys.detail(id), contact);
      void client.invalidateQueries({ queryKey: contactKeys.lists });
      void client.invalidateQueries({ queryKey: ['contacts', 'count'] });
      void client.invalidateQueries({ queryKey: contactKeys.groups });
    },
  });
}

/** Deletes (hides) or erases a contact; the caller leaves its page, then calls `forget`. */
export function useRemoveContact() {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: async ({ id, erase }: { id: number; erase: boolean }): Promise<Erasure | null> => {
      if (erase) return api.post<Erasure>(`/contacts/${id}/erase`);
      await api.delete(`/contacts/${id}`);
      return null;
    },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: contactKeys.lists });
      void client.invalidateQueries({ queryKey: ['contacts', 'count'] });
      void client.invalidateQueries({ queryKey: contactKeys.groups });
      void client.invalidateQueries({ queryKey: contactKeys.suppressions });
    },
  });
  const forget = (id: number) => client.removeQueries({ queryKey: contactKeys.detail(id) });
  return { ...mutation, forget };
}

// --- custom fields -----------------------------------------------------------------------

export function useFields() {
  return useQuery({
    queryKey: contactKeys.fields,
    queryFn: ({ signal }) => api.get<ContactField[]>('/contacts/fields', { signal }),
  });
}

export function useCreateField() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; label?: string | null; type: FieldType }) => api.post<ContactField>('/contacts/fields', input),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.fields }),
  });
}

export function useUpdateField() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, label }: { id: number; label: string | null }) => api.patch<ContactField>(`/contacts/fields/${id}`, { label }),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.fields }),
  });
}

export function useDeleteField() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/contacts/fields/${id}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: contactKeys.fields });
      void client.invalidateQueries({ queryKey: contactKeys.all });
    },
  });
}

// --- groups ------------------------------------------------------------------------------

/** Every group (for pickers and filters), with member counts. */
export function useAllGroups() {
  return useQuery({
    queryKey: [...contactKeys.groups, 'all'],
    queryFn: ({ signal }) => listAll<Group>('/groups', signal),
  });
}

export function useCreateGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description?: string | null }) => api.post<Group>('/groups', input),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.groups }),
  });
}

export function useUpdateGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...changes }: { id: number; name?: string; description?: string | null }) =>
      api.patch<Group>(`/groups/${id}`, changes),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.groups }),
  });
}

export function useDeleteGroup() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/groups/${id}`),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: contactKeys.groups });
      void client.invalidateQueries({ queryKey: contactKeys.all });
    },
  });
}
