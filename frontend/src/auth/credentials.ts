/**
 * How this browser proves who it is to the API.
 *
 * Today: an API key pasted on the Connect screen, kept in sessionStorage (gone when the
 * tab closes) and sent as `Authorization: Bearer`. Once the auth API lands, cookie
 * sessions take over and no key is stored; requests then carry a CSRF token instead
 * (see csrf.ts).
 */

const STORAGE_KEY = 'engagex.apiKey';

type Listener = () => void;
const listeners = new Set<Listener>();

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined; // storage disabled by the browser's privacy settings
  }
}

export function getApiKey(): string | null {
  return storage()?.getItem(STORAGE_KEY) ?? null;
}

export function setApiKey(key: string): void {
  storage()?.setItem(STORAGE_KEY, key);
  listeners.forEach((listener) => listener());
}

export function clearApiKey(): void {
  storage()?.removeItem(STORAGE_KEY);
  listeners.forEach((listener) => listener());
}

/** Called whenever the stored key changes; returns the unsubscribe function. */
export function subscribeApiKey(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The public part of a key (`egx_<prefix>_<secret>` -> `<prefix>`), as the API lists it,
 * so a screen can tell which listed key this browser is using.
 */
export function apiKeyPrefix(key: string | null): string | null {
  const match = key?.match(/^egx_([0-9a-f]{12})_/);
  return match?.[1] ?? null;
}
