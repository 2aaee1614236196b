import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { Icon } from '../../components/Icon.tsx';

/** A link back to the template list; `to` is relative to /templates ("" is the list). */
export function BackLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Link
      href={to}
      className="mb-4 inline-flex items-center gap-1.5 rounded-md text-sm font-medium text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      <Icon name="arrowLeft" className="size-4" />
      {children}
    </Link>
  );
}
