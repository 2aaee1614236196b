import { useMe } from '../../../api/auth.ts';
import { useCan, useViewer } from '../../../auth/viewer.tsx';
import { PageSkeleton } from '../../../components/PageSkeleton.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Card } from '../../../components/ui/index.ts';
import { ChangePasswordCard } from './ChangePasswordCard.tsx';
import { MfaCard } from './MfaCard.tsx';
import { RequireMfaCard } from './RequireMfaCard.tsx';
import { SessionsCard } from './SessionsCard.tsx';

/** Settings › Security: the signed-in person's password, two-step verification, sessions. */
export default function SecuritySettings() {
  const me = useMe();
  const viewer = useViewer();
  const can = useCan();
  if (me.isPending) return <PageSkeleton />;
  if (me.isError || !me.data.user) {
    return (
      <Card>
        <QueryError error={me.error} onRetry={() => void me.refetch()} />
      </Card>
    );
  }
  const user = me.data.user;
  return (
    <div className="space-y-6">
      <ChangePasswordCard user={user} />
      <MfaCard user={user} />
      {viewer.organization && can('org:delete') && (
        <RequireMfaCard organizationName={viewer.organization.name} ownMfa={user.mfa_enabled} />
      )}
      <SessionsCard />
    </div>
  );
}
