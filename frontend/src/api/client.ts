/**
 * The one way the SPA talks to `/api/v1`: JSON in, JSON out, typed errors.
 *
 * - Authentication: the stored API key as a bearer token, else the session cookie
 *   (same-origin) with a CSRF header on state-changing requests.
 * - Errors: any non-2xx answer is thrown as a typed `ApiError` subclass (errors.ts); a
 *   request that gets no answer throws `NetworkError`.
 * - A 401 notifies `onUnauthorized` listeners, so the app can send the person back to
 *   the sign-in screen from wherever they are.
 */

import { getApiKey } from '../auth/credentials.ts';
import { CSRF_HEADER, csrfToken, needsCsrf } from './csrf.ts';
import { NetworkError, UnauthorizedError, errorFromResponse } from './errors.ts';

export const API_BASE = '/api/v1';

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Serialized as JSON. */
  body?: unknown;
  /** Appended as the query string; null and undefined values are left out. */
  query?: Record<string, QueryValue>;
  signal?: AbortSignal;
  /** Use this key instead of the stored one (the Connect screen checks a key first). */
  apiKey?: string;
  /**
   * A 401 is an answer, not a lost session (a wrong password, a wrong MFA code): do not
   * notify `onUnauthorized` listeners.
   */
  ignoreUnauthorized?: boolean;
}

/** `{"items": [...], "next_cursor": ...}`: one page of a keyset-paginated list. */
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

type UnauthorizedListener = (error: UnauthorizedError) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function buildUrl(path: string, query?: Record<string, QueryValue>): string {
  const url = `${API_BASE}${path.startsWith('/') ? path : `/${path}`}`;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined) params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${url}?${search}` : url;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  const key = options.apiKey ?? getApiKey();
  if (key) {
    headers['Authorization'] = `Bearer ${key}`;
  } else if (needsCsrf(method)) {
    const token = await csrfToken();
    if (token) headers[CSRF_HEADER] = token;
  }
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  let response: Response;
  try {
    response = await fetch(buildUrl(path, options.query), init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  const body = await readJson(response);
  if (!response.ok) {
    const error = errorFromResponse(response.status, body, response.headers);
    if (error instanceof UnauthorizedError && options.apiKey === undefined && !options.ignoreUnauthorized) {
      unauthorizedListeners.forEach((listener) => listener(error));
    }
    throw error;
  }
  return body as T;
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'GET' }),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
  patch: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PATCH', body }),
  put: <T>(path: string, body: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'PUT', body }),
  delete: <T = void>(path: string, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'DELETE' }),
};
