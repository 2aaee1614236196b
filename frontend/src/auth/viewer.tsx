/**
 * Who is using the app, for screens to decide what to offer.
 *
 * The auth gate provides it: a signed-in person (cookie session) with their role in the
 * current organization, or an API key, whose role the API does not tell (then every
 * action is offered and the server's 403 is shown). What a role may not do is left out,
 * not disabled: `useCan()('campaigns:send')`.
 */

import { createContext, useCallback, useContext, type ReactNode } from 'react';
import type { AuthUser, OrganizationRef } from '../api/auth.ts';
import type { Role } from '../lib/roles.ts';
import { roleCan, type Permission } from './permissions.ts';

export interface Viewer {
  /** `session`: a person signed in; `api_key`: a key pasted on Connect. */
  kind: 'session' | 'api_key' | 'unknown';
  /** The role in the current organization; null when the API does not say (API keys). */
  role: Role | null;
  user: AuthUser | null;
  organization: OrganizationRef | null;
  organizations: readonly OrganizationRef[];
}

export const UNKNOWN_VIEWER: Viewer = { kind: 'unknown', role: null, user: null, organization: null, organizations: [] };

const ViewerContext = createContext<Viewer>(UNKNOWN_VIEWER);

export function ViewerProvider({ viewer, children }: { viewer: Viewer; children: ReactNode }) {
  return <ViewerContext.Provider value={viewer}>{children}</ViewerContext.Provider>;
}

export function useViewer(): Viewer {
  return useContext(ViewerContext);
}

/**
 * Whether `viewer` may do `permission`. The server's own list wins when it sends one;
 * an unknown role may do everything as far as the app is concerned (the server decides).
 */
export function viewerCan(viewer: Viewer, permission: Permission): boolean {
  if (viewer.role === null) return true;
  const listed = viewer.organization?.permissions;
  if (listed) return listed.includes(permission);
  return roleCan(viewer.role, permission);
}

/** `const can = useCan(); can('members:manage') && <InviteButton/>`. */
export function useCan(): (permission: Permission) => boolean {
  const viewer = useViewer();
  return useCallback((permission: Permission) => viewerCan(viewer, permission), [viewer]);
}

/** Whether the viewer is a person signed in (not an API key): their own settings exist. */
export function useIsPerson(): boolean {
  return useViewer().kind === 'session';
}
