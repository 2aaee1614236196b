/**
 * Line icons of the contacts and templates screens, drawn like `Icon` (24 px grid, the
 * current text colour) and kept apart from it so that areas can add icons independently.
 */

import type { ReactNode } from 'react';
import { cn } from '../lib/cn.ts';

const PATHS = {
  upload: <path d="M12 15.5V4m0 0-4 4m4-4 4 4M4.5 15v3.25c0 .97.78 1.75 1.75 1.75h11.5c.97 0 1.75-.78 1.75-1.75V15" />,
  download: <path d="M12 4v11.5m0 0-4-4m4 4 4-4M4.5 15v3.25c0 .97.78 1.75 1.75 1.75h11.5c.97 0 1.75-.78 1.75-1.75V15" />,
  search: (
    <>
      <circle cx="10.75" cy="10.75" r="6.25" />
      <path d="m15.5 15.5 4.5 4.5" />
    </>
  ),
  segment: <path d="M4 5.5h16l-6 7.25v5.5l-4 1.75v-7.25L4 5.5Z" />,
  group: (
    <>
      <rect x="3.5" y="4.5" width="17" height="15" rx="2" />
      <path d="M7.5 9h9M7.5 12h9M7.5 15h5" />
    </>
  ),
  ban: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="m6 6 12 12" />
    </>
  ),
  field: (
    <>
      <rect x="3.5" y="6.5" width="17" height="11" rx="2" />
      <path d="M7.5 10v4M6.5 10h2M6.5 14h2" />
    </>
  ),
  file: (
    <>
      <path d="M13.5 3.5H7A1.5 1.5 0 0 0 5.5 5v14A1.5 1.5 0 0 0 7 20.5h10a1.5 1.5 0 0 0 1.5-1.5V8.5l-5-5Z" />
      <path d="M13.5 3.5v5h5M8.5 13h7M8.5 16.5h5" />
    </>
  ),
  code: <path d="m8.5 7-5 5 5 5M15.5 7l5 5-5 5M13.5 4.5l-3 15" />,
  eye: (
    <>
      <path d="M2.75 12S6 5.75 12 5.75 21.25 12 21.25 12 18 18.25 12 18.25 2.75 12 2.75 12Z" />
      <circle cx="12" cy="12" r="3" />
    </>
  ),
  send: <path d="M20.5 3.5 10 14M20.5 3.5l-6.5 17-4-6.5-6.5-4 17-6.5Z" />,
  history: <path d="M4 12a8 8 0 1 0 2.35-5.65L4 8.7M4 4.5v4.2h4.2M12 8v4.5l3 2" />,
  desktop: (
    <>
      <rect x="3" y="4.5" width="18" height="12" rx="1.5" />
      <path d="M9 20h6M12 16.5V20" />
    </>
  ),
  phone: (
    <>
      <rect x="7" y="3" width="10" height="18" rx="2" />
      <path d="M11 17.5h2" />
    </>
  ),
  variable: (
    <path d="M8 4.5c-2 0-2.5 1-2.5 2.5v2c0 1.5-.75 3-2 3 1.25 0 2 1.5 2 3v2c0 1.5.5 2.5 2.5 2.5M16 4.5c2 0 2.5 1 2.5 2.5v2c0 1.5.75 3 2 3-1.25 0-2 1.5-2 3v2c0 1.5-.5 2.5-2.5 2.5" />
  ),
  pencil: <path d="m14.5 5.5 4 4M4.5 19.5l1-4.5L16 4.5a1.4 1.4 0 0 1 2 0l1.5 1.5a1.4 1.4 0 0 1 0 2L9 18.5l-4.5 1Z" />,
  chevronDown: <path d="m6 9 6 6 6-6" />,
  sparkle: (
    <path d="M12 3.5 13.8 9l5.7 1.5-5.7 1.5L12 17.5 10.2 12 4.5 10.5 10.2 9 12 3.5ZM18.5 16l.75 2 2 .75-2 .75-.75 2-.75-2-2-.75 2-.75.75-2Z" />
  ),
} satisfies Record<string, ReactNode>;

export type MoreIconName = keyof typeof PATHS;

export function MoreIcon({ name, className }: { name: MoreIconName; className?: string }) {
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
