/**
 * Contacts (blueprints/contacts/api*.py): contacts, custom fields, groups, segments, the
 * suppression list, imports and exports, as types and TanStack Query hooks.
 *
 * Two requests are not JSON and so bypass `api`: the multipart upload of an import and
 * file downloads (exports, rejected rows, a contact's data). `rawRequest` sends them with
 * the same credentials and turns errors into the same typed `ApiError`s.
 */

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { getApiKey } from '../auth/credentials.ts';
import { api, buildUrl, type Page, type QueryValue } from './client.ts';
import { CSRF_HEADER, csrfToken, needsCsrf } from './csrf.ts';
import { NetworkError, errorFromResponse } from './errors.ts';

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

/** A segment's condition tree (docs/contacts.md, "Segments"). */
export type SegmentDefinition = Record<string, unknown>;

export interface Segment {
  id: number;
  name: string;
  description: string | null;
  definition: SegmentDefinition;
  created_at: string;
  updated_at: string;
}

export type SuppressionKind = 'email' | 'domain';
export interface Suppression {
  id: number;
  kind: SuppressionKind;
  value: string;
  reason: 'manual' | 'import' | 'bounce' | 'complaint' | 'unsubscribe';
  note: string | null;
  created_at: string;
}

export type ImportMode = 'upsert' | 'create' | 'update';
export type ImportStatus = 'pending' | 'running' | 'completed' | 'failed';
export interface ImportRowError {
  row: number;
  field: string;
  reason: string;
}
export interface ContactImport {
  id: number;
  status: ImportStatus;
  mode: ImportMode;
  filename: string;
  group_id: number | null;
  file_format: string | null;
  encoding: string | null;
  delimiter: string | null;
  /** How the file's columns were used, once the import has read the header. */
  columns: { mapped: Record<string, string>; ignored: string[]; created_fields: string[] } | null;
  total_bytes: number | null;
  processed_rows: number;
  /** Percent done, 0-100. */
  progress: number;
  rows_per_second: number | null;
  created: number;
  updated: number;
  /** Of `updated`: already up to date. */
  unchanged: number;
  skipped: number;
  invalid: number;
  /** The first rejected rows; all of them are in the rejected-rows CSV. */
  errors: ImportRowError[];
  has_rejected_rows: boolean;
  error: string | null;
  heartbeat_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
}

export interface ImportOptions {
  file: File;
  mode: ImportMode;
  group_id?: number;
  /** A group name, created if missing. */
  group?: string;
  /** Field -> column header. */
  mapping?: Record<string, string>;
  sheet?: string;
  create_fields?: boolean;
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

export type ExportFormat = 'csv' | 'xlsx';
export interface ExportScope {
  group_id?: number;
  segment_id?: number;
  status?: ContactStatus;
}

// --- requests that are not JSON ----------------------------------------------------------

/** A request with the app's credentials whose body and answer are not JSON. */
export async function rawRequest(
  path: string,
  {
    method = 'GET',
    body,
    query,
    signal,
  }: { method?: 'GET' | 'POST'; body?: BodyInit; query?: Record<string, QueryValue>; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  const key = getApiKey();
  if (key) {
    headers['Authorization'] = `Bearer ${key}`;
  } else if (needsCsrf(method)) {
    const token = await csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = body;
  if (signal) init.signal = signal;
  let response: Response;
  try {
    response = await fetch(buildUrl(path, query), init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  if (!response.ok) {
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: errorFromResponse words a generic message from the status
    }
    throw errorFromResponse(response.status, parsed, response.headers);
  }
  return response;
}

/** The file name of a Content-Disposition header, if it names one. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (encoded?.[1]) {
    try {
      return decodeURIComponent(encoded[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain?.[1]?.trim() ?? null;
}

/** Saves a response body as a file in the browser's downloads. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser time to start the download before the URL goes away.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Downloads `path` with the app's credentials (a plain link would not carry an API key)
 * and returns the file name it was saved under.
 */
export async function downloadFile(path: string, fallbackName: string, query?: Record<string, QueryValue>): Promise<string> {
  const response = await rawRequest(path, query ? { query } : {});
  const name = dispositionFilename(response.headers.get('Content-Disposition')) ?? fallbackName;
  saveBlob(await response.blob(), name);
  return name;
}

// --- query keys --------------------------------------------------------------------------

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
async function listAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
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
function usePages<T>(queryKey: readonly unknown[], path: string, query: Record<string, QueryValue>, limit: number) {
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

// --- segments ----------------------------------------------------------------------------

export function useAllSegments() {
  return useQuery({
    queryKey: [...contactKeys.segments, 'all'],
    queryFn: ({ signal }) => listAll<Segment>('/segments', signal),
  });
}

/** A saved segment; nothing is asked for a new one (`id` null). */
export function useSegment(id: number | null) {
  return useQuery({
    queryKey: contactKeys.segment(id ?? 0),
    queryFn: ({ signal }) => api.get<Segment>(`/segments/${id}`, { signal }),
    enabled: id !== null,
  });
}

export function useSaveSegment(id: number | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description: string | null; definition: SegmentDefinition }) =>
      id === null ? api.post<Segment>('/segments', input) : api.patch<Segment>(`/segments/${id}`, input),
    onSuccess: (segment) => {
      client.setQueryData(contactKeys.segment(segment.id), segment);
      void client.invalidateQueries({ queryKey: [...contactKeys.segments, 'all'] });
      void client.invalidateQueries({ queryKey: contactKeys.all });
    },
  });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/segments/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: [...contactKeys.segments, 'all'] }),
  });
}

/**
 * How many contacts an unsaved definition matches. `definition` is null while the rules
 * are incomplete (nothing is asked); `{}` means "every contact" (no rule yet).
 */
export function useSegmentCount(definition: SegmentDefinition | null) {
  const key = JSON.stringify(definition);
  const empty = definition !== null && Object.keys(definition).length === 0;
  return useQuery({
    queryKey: contactKeys.segmentCount(key),
    queryFn: ({ signal }) =>
      empty
        ? api.get<{ count: number }>('/contacts/count', { signal })
        : api.post<{ count: number }>('/segments/count', { definition }, { signal }),
    enabled: definition !== null,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export const SEGMENT_PREVIEW_SIZE = 10;

export function useSegmentPreview(definition: SegmentDefinition | null) {
  const key = JSON.stringify(definition);
  const empty = definition !== null && Object.keys(definition).length === 0;
  return useQuery({
    queryKey: contactKeys.segmentPreview(key),
    queryFn: ({ signal }) =>
      empty
        ? api.get<Page<Contact>>('/contacts', { query: { limit: SEGMENT_PREVIEW_SIZE }, signal })
        : api.post<Page<Contact>>('/segments/preview', { definition }, { query: { limit: SEGMENT_PREVIEW_SIZE }, signal }),
    enabled: definition !== null,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

// --- suppressions ------------------------------------------------------------------------

export function useSuppressions(filters: { q?: string; kind?: SuppressionKind }) {
  return usePages<Suppression>(
    [...contactKeys.suppressions, filters],
    '/suppressions',
    { q: filters.q || undefined, kind: filters.kind },
    50,
  );
}

export function useAddSuppression() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { value: string; note?: string | null }) => api.post<Suppression>('/suppressions', input),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.suppressions }),
  });
}

export function useRemoveSuppression() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/suppressions/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.suppressions }),
  });
}

// --- imports -----------------------------------------------------------------------------

export function useImports() {
  return usePages<ContactImport>(contactKeys.imports, '/contacts/imports', {}, 10);
}

export function isImportFinished(record: Pick<ContactImport, 'status'>): boolean {
  return record.status === 'completed' || record.status === 'failed';
}

/** An import; polled every `pollMs` until it has finished. */
export function useImport(id: number, pollMs = 750) {
  const client = useQueryClient();
  return useQuery({
    queryKey: contactKeys.import(id),
    queryFn: async ({ signal }) => {
      const record = await api.get<ContactImport>(`/contacts/imports/${id}`, { signal });
      if (isImportFinished(record)) {
        // The counts, groups and fields the import changed.
        void client.invalidateQueries({ queryKey: contactKeys.all });
        void client.invalidateQueries({ queryKey: contactKeys.groups });
        void client.invalidateQueries({ queryKey: contactKeys.fields });
        void client.invalidateQueries({ queryKey: contactKeys.imports });
      }
      return record;
    },
    refetchInterval: (query) => (query.state.data && isImportFinished(query.state.data) ? false : pollMs),
    staleTime: 0,
  });
}

export function importFormData(options: ImportOptions): FormData {
  const form = new FormData();
  form.append('file', options.file, options.file.name);
  form.append('mode', options.mode);
  if (options.group_id !== undefined) form.append('group_id', String(options.group_id));
  else if (options.group) form.append('group', options.group);
  if (options.mapping && Object.keys(options.mapping).length > 0) form.append('mapping', JSON.stringify(options.mapping));
  if (options.sheet) form.append('sheet', options.sheet);
  form.append('create_fields', options.create_fields ? 'true' : 'false');
  return form;
}

export function useStartImport() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (options: ImportOptions) => {
      const response = await rawRequest('/contacts/imports', { method: 'POST', body: importFormData(options) });
      return (await response.json()) as ContactImport;
    },
    onSuccess: (record) => {
      client.setQueryData(contactKeys.import(record.id), record);
      void client.invalidateQueries({ queryKey: contactKeys.imports });
      void client.invalidateQueries({ queryKey: contactKeys.groups });
    },
  });
}

export function downloadRejectedRows(id: number): Promise<string> {
  return downloadFile(`/contacts/imports/${id}/rejected`, `import-${id}-rejected.csv`);
}

export function downloadExport(format: ExportFormat, scope: ExportScope): Promise<string> {
  return downloadFile('/contacts/export', `contacts.${format}`, { format, ...scope });
}

/** Everything held about a contact's address, saved as a JSON file. */
export async function downloadContactData(contact: Pick<Contact, 'id' | 'email'>): Promise<string> {
  const data = await api.get<unknown>(`/contacts/${contact.id}/data`);
  const name = `contact-${contact.id}-data.json`;
  saveBlob(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }), name);
  return name;
}
