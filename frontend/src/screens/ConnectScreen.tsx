import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, Redirect, useLocation, useSearch } from 'wouter';
import { accountKeys, fetchOrganization } from '../api/accounts.ts';
import { UnauthorizedError, describeError } from '../api/errors.ts';
import { safeNext, signInUrl, useApiKey, useSessionActions } from '../auth/session.tsx';
import { Icon, Logo } from '../components/Icon.tsx';
import { useDocumentTitle } from '../components/PageHeader.tsx';
import { Alert, Badge, Button, Input } from '../components/ui/index.ts';

const REASONS: Record<string, { tone: 'warning' | 'info'; text: string }> = {
  expired: {
    tone: 'warning',
    text: 'Your API key is no longer accepted: it may have been revoked. Connect with another key.',
  },
  'signed-out': { tone: 'info', text: 'You are disconnected. The key was removed from this browser.' },
};

/**
 * The secondary way in, next to signing in: paste an API key. The key is checked against
 * the API before it is kept (in this tab's sessionStorage only).
 */
export function ConnectScreen() {
  useDocumentTitle('Connect');
  const stored = useApiKey();
  const search = new URLSearchParams(useSearch());
  const next = safeNext(search.get('next'));
  const reason = REASONS[search.get('reason') ?? ''];
  const [, navigate] = useLocation();
  const queryClient = useQueryClient();
  const { connect } = useSessionActions();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);

  const check = useMutation({
    mutationFn: (candidate: string) => fetchOrganization(candidate),
    onSuccess: (organization, candidate) => {
      connect(candidate);
      queryClient.setQueryData(accountKeys.organization, organization);
      navigate(next, { replace: true });
    },
    onError: (failure) => {
      setError(
        failure instanceof UnauthorizedError
          ? 'This key was not accepted. Check that it is complete and has not been revoked.'
          : describeError(failure),
      );
    },
  });

  if (stored && !check.isPending && !check.isSuccess) return <Redirect to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const candidate = key.trim();
    if (!candidate) {
      setError('Paste an API key to continue.');
      return;
    }
    setError(null);
    check.mutate(candidate);
  };

  return (
    <div className="flex min-h-screen flex-col items-center justify-center bg-linear-to-b from-indigo-50 via-slate-50 to-slate-50 px-4 py-12">
      <main className="w-full max-w-md">
        <div className="mb-8 flex justify-center">
          <Logo />
        </div>
        <div className="rounded-2xl bg-white p-6 shadow-lg ring-1 ring-slate-900/5 sm:p-8">
          <Badge tone="brand" className="gap-1">
            <Icon name="key" className="size-3.5" />
            Use an API key
          </Badge>
          <h1 className="mt-3 text-xl font-semibold tracking-tight text-slate-900">Connect to your organization</h1>
          <p className="mt-2 text-sm leading-relaxed text-slate-500">
            Work in this browser tab with the permissions of an API key of your organization, for example to check
            what an integration's key can do. People usually{' '}
            <Link
              href={signInUrl(next)}
              className="rounded font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
            >
              sign in with their email
            </Link>
            .
          </p>
          {reason && (
            <Alert tone={reason.tone} className="mt-5">
              {reason.text}
            </Alert>
          )}
          <form onSubmit={submit} noValidate className="mt-6 space-y-5">
            <Input
              label="API key"
              name="api-key"
              type="password"
              value={key}
              onChange={(event) => setKey(event.target.value)}
              error={error ?? undefined}
              placeholder="egx_…"
              autoComplete="off"
              spellCheck={false}
              autoFocus
              className="font-mono"
              hint="Kept in this browser tab only, and forgotten when you close it."
            />
            <Button type="submit" className="w-full" loading={check.isPending}>
              Connect
            </Button>
          </form>
        </div>
        <p className="mt-6 text-center text-sm text-slate-600">
          <Link
            href={signInUrl(next)}
            className="inline-flex items-center gap-1.5 rounded font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            <Icon name="arrowLeft" className="size-4" />
            Sign in with your email instead
          </Link>
        </p>
        <details className="mt-4 rounded-xl px-1 text-sm text-slate-600">
          <summary className="cursor-pointer rounded font-medium text-slate-700 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-indigo-600">
            How do I get an API key?
          </summary>
          <p className="mt-2">
            An admin can create one under Settings › API keys, or on the server with:
          </p>
          <pre className="mt-2 overflow-x-auto rounded-lg bg-slate-900 p-3 text-xs text-slate-100">
            engagex api-keys create --org SLUG --role admin --name "Browser"
          </pre>
        </details>
      </main>
    </div>
  );
}
