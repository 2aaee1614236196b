import { useEffect, useState } from 'react';
import { Link, Route, Switch } from 'wouter';

type ApiStatus =
  | { state: 'loading' }
  | { state: 'ok'; status: string }
  | { state: 'error'; message: string };

async function fetchHealth(signal: AbortSignal): Promise<string> {
  const response = await fetch('/healthz', {
    signal,
    headers: { Accept: 'application/json' },
  });
  if (!response.ok) {
    throw new Error(`HTTP ${response.status}`);
  }
  const body: unknown = await response.json();
  if (
    typeof body === 'object' &&
    body !== null &&
    'status' in body &&
    typeof body.status === 'string'
  ) {
    return body.status;
  }
  throw new Error('Unexpected response');
}

function StatusCard() {
  const [status, setStatus] = useState<ApiStatus>({ state: 'loading' });

  useEffect(() => {
    const controller = new AbortController();
    fetchHealth(controller.signal)
      .then((value) => setStatus({ state: 'ok', status: value }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const message = error instanceof Error ? error.message : 'Unknown error';
        setStatus({ state: 'error', message });
      });
    return () => controller.abort();
  }, []);

  const dot =
    status.state === 'ok'
      ? 'bg-emerald-500'
      : status.state === 'error'
        ? 'bg-rose-500'
        : 'bg-slate-300';

  return (
    <section className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 className="text-sm font-medium uppercase tracking-wide text-slate-500">
        API status
      </h2>
      <p className="mt-3 flex items-center gap-2 text-lg font-semibold" role="status">
        <span className={`inline-block h-2.5 w-2.5 rounded-full ${dot}`} aria-hidden="true" />
        {status.state === 'loading' && <span>Checking…</span>}
        {status.state === 'ok' && <span data-testid="api-status">{status.status}</span>}
        {status.state === 'error' && <span>Unavailable ({status.message})</span>}
      </p>
      <a
        href="/api/docs"
        className="mt-4 inline-block text-sm font-medium text-indigo-600 hover:text-indigo-800"
      >
        API documentation →
      </a>
    </section>
  );
}

function Home() {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-3xl font-bold tracking-tight text-slate-900">Welcome to EngageX</h1>
        <p className="mt-2 text-slate-600">
          Plan, send and measure email campaigns for every workspace you manage.
        </p>
      </div>
      <StatusCard />
    </div>
  );
}

function NotFound() {
  return (
    <div className="space-y-4">
      <h1 className="text-3xl font-bold tracking-tight text-slate-900">Page not found</h1>
      <p className="text-slate-600">The page you are looking for does not exist.</p>
      <Link href="/" className="text-sm font-medium text-indigo-600 hover:text-indigo-800">
        ← Back to home
      </Link>
    </div>
  );
}

export function App() {
  return (
    <div className="min-h-screen bg-slate-50 text-slate-900">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-4xl items-center px-6 py-4">
          <Link href="/" className="text-xl font-bold text-indigo-600">
            EngageX
          </Link>
        </div>
      </header>
      <main className="mx-auto max-w-4xl px-6 py-10">
        <Switch>
          <Route path="/" component={Home} />
          <Route component={NotFound} />
        </Switch>
      </main>
    </div>
  );
}
