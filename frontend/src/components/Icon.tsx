/** The app's line icons (24 px grid, drawn with the current text colour). */

import type { ReactNode } from 'react';
import { cn } from '../lib/cn.ts';

const PATHS = {
  dashboard: (
    <>
      <rect x="3.75" y="3.75" width="6.75" height="8.25" rx="1.75" />
      <rect x="13.5" y="3.75" width="6.75" height="4.5" rx="1.75" />
      <rect x="3.75" y="15" width="6.75" height="5.25" rx="1.75" />
      <rect x="13.5" y="11.25" width="6.75" height="9" rx="1.75" />
    </>
  ),
  contacts: (
    <>
      <rect x="4.5" y="3.5" width="15" height="17" rx="2" />
      <circle cx="12" cy="10" r="2.75" />
      <path d="M7.75 17c.7-1.9 2.3-3 4.25-3s3.55 1.1 4.25 3" />
    </>
  ),
  campaigns: <path d="M5.5 12 3.75 4.5 20.5 12 3.75 19.5 5.5 12Zm0 0h7" />,
  templates: (
    <>
      <rect x="3.75" y="3.75" width="16.5" height="16.5" rx="2" />
      <path d="M3.75 8.75h16.5M9.25 8.75v11.5" />
    </>
  ),
  domains: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M3.5 12h17M12 3.5c2.3 2.3 3.5 5.2 3.5 8.5s-1.2 6.2-3.5 8.5c-2.3-2.3-3.5-5.2-3.5-8.5S9.7 5.8 12 3.5Z" />
    </>
  ),
  team: (
    <>
      <circle cx="9" cy="8.25" r="3.25" />
      <path d="M3.25 19.25c.6-3 2.9-4.75 5.75-4.75s5.15 1.75 5.75 4.75" />
      <circle cx="16.75" cy="9.25" r="2.5" />
      <path d="M16 14.6c2.45 0 4.2 1.5 4.75 4.15" />
    </>
  ),
  settings: (
    <>
      <path d="M4 6.5h8.5M16.5 6.5H20M4 12h2.5M10.5 12H20M4 17.5h10M18 17.5h2" />
      <circle cx="14.5" cy="6.5" r="2" />
      <circle cx="8.5" cy="12" r="2" />
      <circle cx="16" cy="17.5" r="2" />
    </>
  ),
  billing: (
    <>
      <rect x="3" y="5.25" width="18" height="13.5" rx="2" />
      <path d="M3 9.75h18M6.75 15h3.5" />
    </>
  ),
  key: (
    <>
      <circle cx="8" cy="15.5" r="4" />
      <path d="m10.9 12.6 8.6-8.6M16 7l2.5 2.5M13.75 9.25l2 2" />
    </>
  ),
  organization: (
    <path d="M4.5 20.5V5A1.5 1.5 0 0 1 6 3.5h7A1.5 1.5 0 0 1 14.5 5v15.5m0-11H18a1.5 1.5 0 0 1 1.5 1.5v9.5M3 20.5h18M8 7.5h3M8 11h3M8 14.5h3" />
  ),
  menu: <path d="M4 6.5h16M4 12h16M4 17.5h16" />,
  close: <path d="M6 6l12 12M18 6 6 18" />,
  logout: (
    <path d="M14.5 8V5.5A1.5 1.5 0 0 0 13 4H6.5A1.5 1.5 0 0 0 5 5.5v13A1.5 1.5 0 0 0 6.5 20H13a1.5 1.5 0 0 0 1.5-1.5V16M10 12h10.5m0 0-3-3m3 3-3 3" />
  ),
  book: (
    <path d="M12 6.75C10.5 5.4 8.5 4.75 6 4.75c-.9 0-1.75.08-2.5.27v13.5c.75-.19 1.6-.27 2.5-.27 2.5 0 4.5.65 6 2m0-13.5c1.5-1.35 3.5-2 6-2 .9 0 1.75.08 2.5.27v13.5c-.75-.19-1.6-.27-2.5-.27-2.5 0-4.5.65-6 2m0-13.5v13.5" />
  ),
  plus: <path d="M12 5v14M5 12h14" />,
  compass: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="m15.5 8.5-2 5-5 2 2-5 5-2Z" />
    </>
  ),
  lock: (
    <>
      <rect x="5" y="10.5" width="14" height="10" rx="2" />
      <path d="M8 10.5V8a4 4 0 0 1 8 0v2.5" />
    </>
  ),
  warning: (
    <path d="M12 9v4m0 3.25h.01M10.3 4.2 2.9 17.1A2 2 0 0 0 4.6 20h14.8a2 2 0 0 0 1.7-2.9L13.7 4.2a2 2 0 0 0-3.4 0Z" />
  ),
  check: <path d="m5 12.5 4.5 4.5L19 7.5" />,
  refresh: <path d="M19.5 12a7.5 7.5 0 1 1-2.2-5.3M19.5 4.5v4.25h-4.25" />,
  trash: (
    <path d="M4.5 6.5h15M9.5 6.5V4.75A1.25 1.25 0 0 1 10.75 3.5h2.5a1.25 1.25 0 0 1 1.25 1.25V6.5m3 0-.7 12.1a1.75 1.75 0 0 1-1.75 1.65H8.95a1.75 1.75 0 0 1-1.75-1.65L6.5 6.5m3.5 4v5.5m4-5.5v5.5" />
  ),
  arrowLeft: <path d="M19 12H5m0 0 6-6m-6 6 6 6" />,
  external: <path d="M13.5 4.5h6v6m0-6-8.25 8.25M17.5 13.5v4.75a1.25 1.25 0 0 1-1.25 1.25H5.75a1.25 1.25 0 0 1-1.25-1.25V7.75A1.25 1.25 0 0 1 5.75 6.5h4.75" />,
  info: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 11v5.5M12 7.75h.01" />
    </>
  ),
  shield: <path d="M12 3.5 4.75 6.25v5.5c0 4.2 3 7.6 7.25 8.75 4.25-1.15 7.25-4.55 7.25-8.75v-5.5L12 3.5Zm-3 8.75 2.25 2.25L15.5 10" />,
  bell: (
    <path d="M6.25 9.75a5.75 5.75 0 0 1 11.5 0v3.5l1.75 3H4.5l1.75-3v-3.5ZM9.75 19a2.35 2.35 0 0 0 4.5 0" />
  ),
  selector: <path d="m8 9.5 4-4 4 4M8 14.5l4 4 4-4" />,
  webhook: (
    <>
      <circle cx="12" cy="6.5" r="2.5" />
      <circle cx="6.25" cy="16.75" r="2.5" />
      <circle cx="17.75" cy="16.75" r="2.5" />
      <path d="m10.75 8.75-3.25 5.75M13.25 8.75l3.25 5.75M8.75 16.75h6.5" />
    </>
  ),
  more: (
    <>
      <circle cx="6" cy="12" r="1.1" fill="currentColor" />
      <circle cx="12" cy="12" r="1.1" fill="currentColor" />
      <circle cx="18" cy="12" r="1.1" fill="currentColor" />
    </>
  ),
  user: (
    <>
      <circle cx="12" cy="8.5" r="3.75" />
      <path d="M4.75 20c.8-3.6 3.7-5.75 7.25-5.75S18.45 16.4 19.25 20" />
    </>
  ),
} satisfies Record<string, ReactNode>;

export type IconName = keyof typeof PATHS;

export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg
      className={cn('size-5 shrink-0', className)}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.6}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      {PATHS[name]}
    </svg>
  );
}

/** The EngageX mark: an envelope with a spark, on the brand colour. */
export function Logo({ className }: { className?: string }) {
  return (
    <span className={cn('flex items-center gap-2.5', className)}>
      <span className="flex size-8 items-center justify-center rounded-lg bg-linear-to-br from-indigo-500 to-violet-600 text-white shadow-sm" aria-hidden="true">
        <svg viewBox="0 0 24 24" className="size-5" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round">
          <rect x="3.5" y="6" width="17" height="12" rx="2" />
          <path d="m4 7 8 6 8-6" />
        </svg>
      </span>
      <span className="text-lg font-semibold tracking-tight text-slate-900">EngageX</span>
    </span>
  );
}
