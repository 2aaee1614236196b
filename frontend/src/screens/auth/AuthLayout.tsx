import type { ReactNode } from 'react';
import { Link } from 'wouter';
import { Logo } from '../../components/Icon.tsx';
import { useDocumentTitle } from '../../components/PageHeader.tsx';
import { cn } from '../../lib/cn.ts';

/** The frame of the pages before the app: sign in, sign up, MFA, reset, invitation. */
export function AuthLayout({
  title,
  description,
  badge,
  children,
  footer,
  wide = false,
}: {
  title: string;
  description?: ReactNode;
  /** A small label above the title ("Use an API key", "Invitation"). */
  badge?: ReactNode;
  children: ReactNode;
  /** Links under the card ("New to EngageX? Create an account"). */
  footer?: ReactNode;
  wide?: boolean;
}) {
  useDocumentTitle(title);
  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-linear-to-b from-indigo-50 via-slate-50 to-slate-50 px-4 py-10 sm:py-12">
      <main className={cn('w-full', wide ? 'max-w-lg' : 'max-w-md')}>
        <div className="mb-8 flex justify-center">
          <Logo />
        </div>
        <div className="rounded-2xl bg-white p-6 shadow-lg ring-1 ring-slate-900/5 sm:p-8">
          {badge && <div className="mb-3">{badge}</div>}
          <h1 className="text-xl font-semibold tracking-tight text-slate-900">{title}</h1>
          {description && <div className="mt-2 text-sm leading-relaxed text-slate-500">{description}</div>}
          <div className="mt-6">{children}</div>
        </div>
        {footer && <div className="mt-6 space-y-2 text-center text-sm text-slate-600">{footer}</div>}
      </main>
    </div>
  );
}

/** An in-app link in the text of the auth pages. */
export function AuthLink({ href, children, className }: { href: string; children: ReactNode; className?: string }) {
  return (
    <Link
      href={href}
      className={cn(
        'rounded font-medium text-indigo-700 hover:text-indigo-900 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600',
        className,
      )}
    >
      {children}
    </Link>
  );
}

/** "or", between the password form and single sign-on. */
export function Divider({ children }: { children: ReactNode }) {
  return (
    <div className="my-6 flex items-center gap-3 text-xs font-medium tracking-wide text-slate-400 uppercase" role="presentation">
      <span className="h-px flex-1 bg-slate-200" />
      {children}
      <span className="h-px flex-1 bg-slate-200" />
    </div>
  );
}
