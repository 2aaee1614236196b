import { useId } from 'react';
import { useSecurityPolicy, useSetSecurityPolicy } from '../../../api/auth.ts';
import { describeError } from '../../../api/errors.ts';
import { QueryError } from '../../../components/QueryError.tsx';
import { Alert, Card, CardBody, CardHeader, Skeleton, Spinner, Switch, useToast } from '../../../components/ui/index.ts';

/** Owners require two-step verification of every member of the organization. */
export function RequireMfaCard({ organizationName, ownMfa }: { organizationName: string; ownMfa: boolean }) {
  const policy = useSecurityPolicy();
  const update = useSetSecurityPolicy();
  const toast = useToast();
  const labelId = useId();
  const descriptionId = useId();

  return (
    <Card aria-labelledby="policy-title">
      <CardHeader
        titleId="policy-title"
        title="Organization security"
        description={`Rules for everyone in ${organizationName}. Only owners change them.`}
      />
      <CardBody className="space-y-4">
        {policy.isError ? (
          <QueryError error={policy.error} onRetry={() => void policy.refetch()} />
        ) : (
          <div className="flex items-start justify-between gap-6">
            <div>
              <p id={labelId} className="text-sm font-medium text-slate-900">
                Require two-step verification
              </p>
              <p id={descriptionId} className="mt-0.5 text-sm text-slate-500">
                Members without it must turn it on before they can work in {organizationName}. API keys are not
                affected.
              </p>
            </div>
            <div className="flex items-center gap-2">
              {update.isPending && <Spinner className="size-4 text-slate-400" />}
              {policy.data ? (
                <Switch
                  checked={policy.data.require_mfa}
                  // Turning it on needs the owner's own MFA (the server refuses otherwise).
                  disabled={update.isPending || (!ownMfa && !policy.data.require_mfa)}
                  labelledBy={labelId}
                  describedBy={descriptionId}
                  onChange={(checked) =>
                    update.mutate(checked, {
                      onSuccess: () =>
                        toast.success(
                          checked ? 'Two-step verification is now required' : 'Two-step verification is now optional',
                        ),
                    })
                  }
                />
              ) : (
                <Skeleton className="h-6 w-11 rounded-full" />
              )}
            </div>
          </div>
        )}
        {update.isError && <Alert>{describeError(update.error)}</Alert>}
        {!ownMfa && policy.data && !policy.data.require_mfa && (
          <p className="text-sm text-slate-500">Turn on two-step verification for your own account first.</p>
        )}
      </CardBody>
    </Card>
  );
}
