import type { ReactNode } from 'react';
import { useCampaign, type Campaign } from '../../api/campaigns.ts';
import { NotFoundError } from '../../api/errors.ts';
import { Icon } from '../../components/Icon.tsx';
import { PageSkeleton } from '../../components/PageSkeleton.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Card, EmptyState } from '../../components/ui/index.ts';
import { BackLink } from './common.tsx';

/**
 * Loads the campaign of a page (detail, wizard, report) and renders `children` with it;
 * the loading, not-found (another organization's id is a 404 too) and error states are
 * the same on every page.
 */
export function CampaignLoader({ id, children }: { id: number; children: (campaign: Campaign) => ReactNode }) {
  const campaign = useCampaign(id);
  if (campaign.isPending) return <PageSkeleton />;
  if (campaign.isError) {
    return (
      <>
        <BackLink to="">All campaigns</BackLink>
        <Card>
          {campaign.error instanceof NotFoundError ? (
            <EmptyState
              icon={<Icon name="campaigns" className="size-6" />}
              title="This campaign is not in your organization"
              description="It may have been deleted, or the link may belong to another organization."
            />
          ) : (
            <QueryError error={campaign.error} onRetry={() => void campaign.refetch()} />
          )}
        </Card>
      </>
    );
  }
  return children(campaign.data);
}
