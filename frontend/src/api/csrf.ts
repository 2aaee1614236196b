/**
 * CSRF protection for cookie-authenticated requests.
 *
 * `csrfToken()` is the single place that knows where the token comes from: first a
 * `csrf_token` cookie (double-submit pattern), otherwise the token endpoint, asked once
 * per page load. Adapt this file, and only this file, to the auth API's final contract.
 * Requests authenticated by an API key never need it: a bearer header cannot be forged
 * by another site.
 */

export const CSRF_COOKIE = 'csrf_token';
export const CSRF_HEADER = 'X-CSRF-Token';
export const CSRF_ENDPOINT = '/api/v1/auth/csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

let fromEndpoint: Promise<string | null> | null = null;

function readCookie(name: string): string | null {
  for (const part of document.cookie.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

async function fetchToken(): Promise<string | null> {
  try {
    const response = await fetch(CSRF_ENDPOINT, {
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    if (!response.ok) return null;
    const body: unknown = await response.json();
    if (typeof body === 'object' && body !== null && 'csrf_token' in body) {
      const token = (body as { csrf_token: unknown }).csrf_token;
      return typeof token === 'string' ? token : null;
    }
    return null;
  } catch {
    return null;
  }
}

/** The CSRF token of the current cookie session, or null when there is none. */
export async function csrfToken(): Promise<string | null> {
  const cookie = readCookie(CSRF_COOKIE);
  if (cookie) return cookie;
  fromEndpoint ??= fetchToken();
  return fromEndpoint;
}

/** Forget a cached token (after sign-in/out the server issues a new one). */
export function resetCsrfToken(): void {
  fromEndpoint = null;
}

/** Whether a request with this method changes state and so must carry the token. */
export function needsCsrf(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}
