import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { createPortal } from 'react-dom';
import { cn } from '../../lib/cn.ts';
import { useDismiss } from './Popover.tsx';

interface MenuContextValue {
  close: (restoreFocus?: boolean) => void;
}

const MenuContext = createContext<MenuContextValue | null>(null);

const ITEM_CLASS =
  'flex w-full items-center gap-2.5 rounded-md px-2.5 py-2 text-left text-sm text-slate-700 outline-none hover:bg-slate-100 focus:bg-slate-100 focus:text-slate-900';

function items(panel: HTMLElement | null): HTMLElement[] {
  return Array.from(panel?.querySelectorAll<HTMLElement>('[role^="menuitem"]:not([aria-disabled="true"])') ?? []);
}

/**
 * A menu button (WAI-ARIA menu pattern): the trigger opens a list of actions, focus
 * moves into it (the checked item, else the first), arrow keys, Home and End move, Enter
 * or a click chooses, Escape and Tab close. Items are `MenuItem` children.
 */
export function Menu({
  trigger,
  label,
  children,
  align = 'right',
  header,
  triggerClassName,
  panelClassName,
}: {
  /** What the trigger shows. */
  trigger: ReactNode;
  /**
   * The trigger's accessible name (also names the menu). Leave it out when the trigger
   * shows text: its content (with `sr-only` additions) then names it, so the visible
   * words are part of the name (WCAG 2.5.3).
   */
  label?: string;
  children: ReactNode;
  align?: 'left' | 'right';
  /** Not an item: a heading or who is signed in, shown above the items. */
  header?: ReactNode;
  triggerClassName?: string;
  panelClassName?: string;
}) {
  const [open, setOpen] = useState(false);
  const [position, setPosition] = useState<{ top: number; left?: number; right?: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);
  const id = useId();

  // The panel is portalled to <body> (a table's overflow would clip it) and placed under
  // the trigger; scrolling or resizing closes it rather than leaving it behind.
  useLayoutEffect(() => {
    if (!open || !button.current) return;
    const rect = button.current.getBoundingClientRect();
    setPosition(
      align === 'right'
        ? { top: rect.bottom + 8, right: Math.max(8, window.innerWidth - rect.right) }
        : { top: rect.bottom + 8, left: Math.max(8, rect.left) },
    );
    const dismiss = (event: Event) => {
      if (event.target instanceof Node && panel.current?.contains(event.target)) return;
      setOpen(false);
    };
    window.addEventListener('resize', dismiss);
    window.addEventListener('scroll', dismiss, true);
    return () => {
      window.removeEventListener('resize', dismiss);
      window.removeEventListener('scroll', dismiss, true);
    };
  }, [open, align]);

  const close = useCallback((restoreFocus = true) => {
    setOpen(false);
    if (restoreFocus) button.current?.focus();
  }, []);
  useDismiss(open, () => setOpen(false), button, panel);

  useEffect(() => {
    if (!open || !position) return;
    const all = items(panel.current);
    const checked = all.find((item) => item.getAttribute('aria-checked') === 'true');
    (checked ?? all[0])?.focus();
  }, [open, position]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const all = items(panel.current);
    const index = all.indexOf(document.activeElement as HTMLElement);
    const move = (next: number) => {
      event.preventDefault();
      all[(next + all.length) % all.length]?.focus();
    };
    if (event.key === 'ArrowDown') move(index + 1);
    else if (event.key === 'ArrowUp') move(index - 1);
    else if (event.key === 'Home') move(0);
    else if (event.key === 'End') move(all.length - 1);
    else if (event.key === 'Tab') {
      // The panel lives at the end of <body>: Tab from it returns to the trigger.
      event.preventDefault();
      close();
    }
  };

  return (
    <div className="relative min-w-0">
      <button
        ref={button}
        type="button"
        id={`${id}-button`}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            setOpen(true);
          }
        }}
        className={cn(
          'flex items-center rounded-lg focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600',
          triggerClassName,
        )}
      >
        {trigger}
      </button>
      {open &&
        position &&
        createPortal(
          <div
            ref={panel}
            style={position}
            className={cn(
              'fixed z-50 w-64 max-w-[calc(100vw-1rem)] rounded-xl bg-white p-1.5 shadow-lg ring-1 ring-slate-900/10',
              panelClassName,
            )}
          >
            {header}
            <div role="menu" id={`${id}-menu`} aria-labelledby={`${id}-button`} onKeyDown={onKeyDown}>
              <MenuContext.Provider value={{ close }}>{children}</MenuContext.Provider>
            </div>
          </div>,
          document.body,
        )}
    </div>
  );
}

/** One action of a `Menu`; with `checked` it is a radio item (the current choice). */
export function MenuItem({
  onSelect,
  children,
  checked,
  icon,
  tone = 'neutral',
  restoreFocus = true,
}: {
  onSelect: () => void;
  children: ReactNode;
  checked?: boolean;
  icon?: ReactNode;
  tone?: 'neutral' | 'danger';
  /** false when choosing navigates away (focus then goes to the new page). */
  restoreFocus?: boolean;
}) {
  const menu = useContext(MenuContext);
  return (
    <button
      type="button"
      role={checked === undefined ? 'menuitem' : 'menuitemradio'}
      aria-checked={checked}
      tabIndex={-1}
      onClick={() => {
        menu?.close(restoreFocus);
        onSelect();
      }}
      className={cn(ITEM_CLASS, tone === 'danger' && 'text-rose-700 hover:bg-rose-50 focus:bg-rose-50 focus:text-rose-800')}
    >
      {icon}
      <span className="min-w-0 flex-1">{children}</span>
      {checked && (
        <svg className="size-4 shrink-0 text-indigo-600" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
          <path
            fillRule="evenodd"
            d="M16.704 4.153a.75.75 0 0 1 .143 1.052l-8 10.5a.75.75 0 0 1-1.127.075l-4.5-4.5a.75.75 0 0 1 1.06-1.06l3.894 3.893 7.48-9.817a.75.75 0 0 1 1.05-.143Z"
            clipRule="evenodd"
          />
        </svg>
      )}
    </button>
  );
}

export function MenuSeparator() {
  return <div role="separator" className="my-1.5 h-px bg-slate-200" />;
}

/** A non-interactive label above a group of items. */
export function MenuLabel({ children }: { children: ReactNode }) {
  return (
    <p role="presentation" className="px-2.5 pt-1.5 pb-1 text-xs font-medium tracking-wide text-slate-500 uppercase">
      {children}
    </p>
  );
}
