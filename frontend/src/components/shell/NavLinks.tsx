import { Link, useLocation } from 'wouter';
import { useCan } from '../../auth/viewer.tsx';
import { cn } from '../../lib/cn.ts';
import { SCREENS } from '../../routes.ts';
import { Icon } from '../Icon.tsx';

function isActive(location: string, path: string): boolean {
  return location === path || location.startsWith(`${path}/`);
}

/** The main navigation, generated from SCREENS (what the role may see). */
export function NavLinks({ onNavigate }: { onNavigate?: () => void }) {
  const [location] = useLocation();
  const can = useCan();
  return (
    <ul className="space-y-0.5">
      {SCREENS.filter((screen) => !screen.permission || can(screen.permission)).map((screen) => {
        const active = isActive(location, screen.path);
        return (
          <li key={screen.path}>
            <Link
              href={screen.path}
              {...(onNavigate ? { onClick: onNavigate } : {})}
              aria-current={active ? 'page' : undefined}
              className={cn(
                'group flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors',
                'focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600',
                active
                  ? 'bg-indigo-50 text-indigo-700'
                  : 'text-slate-600 hover:bg-slate-100 hover:text-slate-900',
              )}
            >
              <Icon
                name={screen.icon}
                className={active ? 'text-indigo-600' : 'text-slate-400 group-hover:text-slate-600'}
              />
              {screen.label}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
