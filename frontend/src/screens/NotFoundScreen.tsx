import { Link, useLocation, useRouter } from 'wouter';
import { Icon } from '../components/Icon.tsx';
import { useDocumentTitle } from '../components/PageHeader.tsx';
import { HOME_PATH, SCREENS } from '../routes.ts';

/** Any path the app does not know, shown inside the app shell (also from nested screens). */
export function NotFoundScreen() {
  const [location] = useLocation();
  const { base } = useRouter();
  useDocumentTitle('Page not found');
  const home = SCREENS.find((screen) => screen.path === HOME_PATH);
  const path = location.startsWith('~') ? location.slice(1) : `${base === '/' ? '' : base}${location}`;
  return (
    <div className="flex flex-col items-center rounded-xl border border-slate-200 bg-white px-6 py-16 text-center shadow-xs">
      <div className="flex size-14 items-center justify-center rounded-full bg-indigo-50 text-indigo-600" aria-hidden="true">
        <Icon name="compass" className="size-7" />
      </div>
      <p className="mt-5 text-sm font-semibold text-indigo-600">404</p>
      <h1 className="mt-1 text-2xl font-semibold tracking-tight text-slate-900">Page not found</h1>
      <p className="mt-2 max-w-md text-sm text-slate-500">
        There is nothing at <code className="rounded bg-slate-100 px-1.5 py-0.5 break-all text-slate-700">{path}</code>.
        The link may be mistyped, or the page may have moved.
      </p>
      <Link
        href={`~${HOME_PATH}`}
        className="mt-6 inline-flex h-9 items-center rounded-lg bg-indigo-600 px-3.5 text-sm font-medium text-white shadow-xs hover:bg-indigo-500 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
      >
        Go to {home?.label ?? 'the start page'}
      </Link>
    </div>
  );
}
