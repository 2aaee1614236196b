import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { cn } from '../../lib/cn.ts';

const VARIANTS = {
  primary: 'bg-indigo-600 text-white shadow-xs hover:bg-indigo-500 focus-visible:outline-indigo-600',
  secondary:
    'bg-white text-slate-800 shadow-xs ring-1 ring-inset ring-slate-300 hover:bg-slate-50 focus-visible:outline-indigo-600',
  ghost: 'text-indigo-700 hover:bg-indigo-50 focus-visible:outline-indigo-600',
} as const;

/**
 * A link that looks like a `Button`: these actions go to another screen, so they are
 * links (open in a new tab, announced as links), not buttons.
 */
export function ButtonLink({
  href,
  children,
  variant = 'secondary',
  size = 'md',
  icon,
  className,
  'aria-label': ariaLabel,
}: {
  /** `~/path` is absolute, whatever router the dashboard is mounted in. */
  href: string;
  children: ReactNode;
  variant?: keyof typeof VARIANTS;
  size?: 'sm' | 'md';
  icon?: ReactNode;
  className?: string;
  'aria-label'?: string;
}) {
  return (
    <Link
      href={href}
      aria-label={ariaLabel}
      className={cn(
        'inline-flex shrink-0 items-center justify-center rounded-lg font-medium whitespace-nowrap transition-colors',
        'focus-visible:outline-2 focus-visible:outline-offset-2',
        size === 'sm' ? 'h-8 gap-1.5 px-2.5 text-sm' : 'h-9 gap-2 px-3.5 text-sm',
        VARIANTS[variant],
        className,
      )}
    >
      {icon}
      {children}
    </Link>
  );
}
