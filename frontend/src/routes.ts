/**
 * The screens of the app, in navigation order. This list drives the sidebar, the
 * router and the page titles: adding an area is one entry here plus its screen module.
 *
 * Product order: Dashboard, Contacts, Campaigns, Templates, Domains, Team, Settings,
 * Billing. An area is listed only once its API exists: there are no placeholder screens.
 * The first entry is where `/` leads.
 */

import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Permission } from './auth/permissions.ts';
import type { IconName } from './components/Icon.tsx';

export interface ScreenDef {
  /** Absolute path; the screen also owns everything under it when `nested` is set. */
  path: string;
  /** Sidebar label and page title. */
  label: string;
  icon: IconName;
  /** Loaded on first visit (route-level code splitting). */
  component: LazyExoticComponent<ComponentType>;
  /** The screen routes sub-paths itself (wouter `nest`), e.g. /settings/api-keys. */
  nested?: boolean;
  /** Left out of the navigation for roles without it (the route still answers). */
  permission?: Permission;
}

export const SCREENS: readonly ScreenDef[] = [
  { path: '/dashboard', label: 'Dashboard', icon: 'dashboard', component: lazy(() => import('./screens/dashboard/DashboardScreen.tsx')) },
  { path: '/contacts', label: 'Contacts', icon: 'contacts', nested: true, component: lazy(() => import('./screens/contacts/ContactsScreen.tsx')) },
  { path: '/campaigns', label: 'Campaigns', icon: 'campaigns', nested: true, component: lazy(() => import('./screens/campaigns/CampaignsScreen.tsx')) },
  { path: '/templates', label: 'Templates', icon: 'templates', nested: true, component: lazy(() => import('./screens/templates/TemplatesScreen.tsx')) },
  { path: '/domains', label: 'Domains', icon: 'domains', nested: true, component: lazy(() => import('./screens/domains/DomainsScreen.tsx')) },
  { path: '/team', label: 'Team', icon: 'team', component: lazy(() => import('./screens/team/TeamScreen.tsx')) },
  { path: '/settings', label: 'Settings', icon: 'settings', nested: true, component: lazy(() => import('./screens/settings/SettingsScreen.tsx')) },
  { path: '/billing', label: 'Billing', icon: 'billing', permission: 'billing:read', component: lazy(() => import('./screens/billing/BillingScreen.tsx')) },
];

export const HOME_PATH = SCREENS[0]?.path ?? '/settings';
