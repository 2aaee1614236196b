import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../../api/client.ts';
import { authKeys, useRevokeSession, useSessions, type AuthSessionInfo } from '../../../api/auth.ts';
import { describeError } from '../../../api/errors.ts';
import { useSessionActions } from '../../../auth/session.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Badge, Button, Card, CardHeader, LoadingRegion, Skeleton, useToast } from '../../../components/ui/index.ts';
import { formatDateTime } from '../../../lib/format.ts';
import { describeMethod, describeUserAgent } from './userAgent.ts';

function SessionRow({
  session,
  onRevoke,
  revoking,
}: {
  session: AuthSessionInfo;
  onRevoke: () => void;
  revoking: boolean;
}) {
  const device = describeUserAgent(session.user_agent);
  return (
    <li className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center sm:justify-between sm:px-6">
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
          {device}
          {session.current && <Badge tone="brand">This device</Badge>}
        </p>
        <p className="mt-0.5 text-sm text-slate-500">
          {session.ip_address ?? 'Unknown address'} · {describeMethod(session.method)}
        </p>
        <p className="text-sm text-slate-500">
          Last active {formatDateTime(session.last_seen_at)} · signed in {formatDateTime(session.created_at)}
        </p>
      </div>
      <Button
        variant={session.current ? 'secondary' : 'danger-ghost'}
        size="sm"
        onClick={onRevoke}
        loading={revoking}
        aria-label={session.current ? 'Sign out of this device' : `Sign out ${device} (${session.ip_address ?? 'unknown address'})`}
      >
        Sign out
      </Button>
    </li>
  );
}

/** Where the person is signed in; any session can be ended from here. */
export function SessionsCard() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const client = useQueryClient();
  const toast = useToast();
  const { signOut } = useSessionActions();
  const others = (sessions.data ?? []).filter((session) => !session.current);

  const revokeOthers = useMutation({
    mutationFn: async (ids: number[]) => {
      for (const id of ids) await api.delete(`/auth/sessions/${id}`);
      return ids.length;
    },
    onSettled: () => client.invalidateQueries({ queryKey: authKeys.sessions }),
    onSuccess: (count) =>
      toast.success(count === 1 ? 'Signed out of 1 other session' : `Signed out of ${count} other sessions`),
    onError: (error) => toast.error('Not every session was signed out', describeError(error)),
  });

  const end = (session: AuthSessionInfo) => {
    if (session.current) {
      void signOut();
      return;
    }
    revoke.mutate(session.id, {
      onSuccess: () => toast.success('Session signed out', `${describeUserAgent(session.user_agent)} must sign in again.`),
      onError: (error) => toast.error('The session was not signed out', describeError(error)),
    });
  };

  return (
    <Card aria-labelledby="sessions-title">
      <CardHeader
        titleId="sessions-title"
        title="Where you are signed in"
        description="Sign out of devices you no longer use or do not recognise. Changing your password signs out all of them."
        actions={
          others.length > 0 ? (
            <Button variant="secondary" size="sm" onClick={() => revokeOthers.mutate(others.map((s) => s.id))} loading={revokeOthers.isPending}>
              Sign out of other sessions
            </Button>
          ) : undefined
        }
      />
      {sessions.isError ? (
        <QueryError error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : sessions.isPending ? (
        <LoadingRegion label="Loading your sessions…">
          <div className="space-y-3 px-6 py-5">
            <Skeleton className="h-4 w-1/2" />
            <Skeleton className="h-4 w-1/3" />
          </div>
        </LoadingRegion>
      ) : (
        <ul className="divide-y divide-slate-100" aria-label="Sessions">
          {sessions.data.map((session) => (
            <SessionRow
              key={session.id}
              session={session}
              onRevoke={() => end(session)}
              revoking={revoke.isPending && revoke.variables === session.id}
            />
          ))}
        </ul>
      )}
    </Card>
  );
}
