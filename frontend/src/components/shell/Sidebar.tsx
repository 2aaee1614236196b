import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { useApiKey } from '../../auth/session.tsx';
import { Icon, Logo } from '../Icon.tsx';
import { NavLinks } from './NavLinks.tsx';

function SidebarContent({ onNavigate }: { onNavigate?: () => void }) {
  const apiKey = useApiKey();
  return (
    <div className="flex h-full flex-col">
      <div className="flex h-16 shrink-0 items-center px-5">
        <Link href="/" aria-label="EngageX home" className="rounded-lg focus-visible:outline-2 focus-visible:outline-offset-4 focus-visible:outline-indigo-600" {...(onNavigate ? { onClick: onNavigate } : {})}>
          <Logo />
        </Link>
      </div>
      <nav aria-label="Main" className="flex-1 overflow-y-auto px-3 py-4">
        <NavLinks {...(onNavigate ? { onNavigate } : {})} />
      </nav>
      <div className="space-y-3 border-t border-slate-200 p-4">
        {apiKey && (
          <div className="rounded-lg bg-slate-50 p-3 text-xs leading-relaxed text-slate-600 ring-1 ring-slate-200">
            <p className="flex items-center gap-1.5 font-medium text-slate-800">
              <Icon name="key" className="size-4 text-slate-500" />
              Connected with an API key
            </p>
            <p className="mt-1">The key is kept in this tab only and forgotten when you close it.</p>
          </div>
        )}
        <a
          href="/api/docs"
          className="flex items-center gap-2 rounded-md px-1 py-1 text-sm text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <Icon name="book" className="size-4 text-slate-400" />
          API reference
        </a>
      </div>
    </div>
  );
}

/** The fixed sidebar from the `lg` breakpoint up. */
export function Sidebar() {
  return (
    <aside className="hidden border-r border-slate-200 bg-white lg:fixed lg:inset-y-0 lg:flex lg:w-64 lg:flex-col">
      <SidebarContent />
    </aside>
  );
}

/** The same navigation as a drawer on small screens. */
export function MobileSidebar({ open, onClose }: { open: boolean; onClose: () => void }) {
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panel.current?.querySelector<HTMLElement>('nav a')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      previous?.focus();
    };
  }, [open, onClose]);

  if (!open) return null;
  return (
    <div className="fixed inset-0 z-40 lg:hidden">
      <div className="absolute inset-0 bg-slate-900/40" aria-hidden="true" onClick={onClose} />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-label="Navigation"
        className="absolute inset-y-0 left-0 w-72 max-w-[85%] bg-white shadow-xl"
      >
        <button
          type="button"
          onClick={onClose}
          className="absolute top-4 right-3 rounded-md p-1.5 text-slate-500 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
        >
          <span className="sr-only">Close navigation</span>
          <Icon name="close" />
        </button>
        <SidebarContent onNavigate={onClose} />
      </div>
    </div>
  );
}
