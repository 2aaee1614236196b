/**
 * Imports, exports and downloads (blueprints/contacts/api_imports.py, api.py): the
 * multipart upload of an import, its progress (polled) and rejected rows, exports of the
 * contact list and a contact's data, as types and TanStack Query hooks.
 *
 * Two requests are not JSON and so bypass `api`: the multipart upload of an import and
 * file downloads (exports, rejected rows, a contact's data). `rawRequest` sends them with
 * the same credentials and turns errors into the same typed `ApiError`s.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getApiKey } from '../auth/credentials.ts';
import { api, buildUrl, type QueryValue } from './client.ts';
import { contactKeys, usePages, type Contact, type ContactStatus } from './contacts.ts';
import { CSRF_HEADER, csrfToken, needsCsrf } from './csrf.ts';
import { NetworkError, errorFromResponse } from './errors.ts';

// --- types -------------------------------------------------------------------------------

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

// --- exports -----------------------------------------------------------------------------

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
