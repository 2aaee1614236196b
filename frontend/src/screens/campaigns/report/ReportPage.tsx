import { Link } from 'wouter';
import { useCampaignEngagement, useCampaignTimeline, type Campaign } from '../../../api/campaigns.ts';
import { TimeSeriesChart } from '../../../components/charts/TimeSeriesChart.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { PageHeader } from '../../../components/PageHeader.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import { Alert, Card, CardBody, CardHeader, EmptyState, LoadingRegion, Skeleton } from '../../../components/ui/index.ts';
import { formatNumber } from '../../../lib/format.ts';
import { CampaignLoader } from '../CampaignLoader.tsx';
import { BackLink, CampaignStatusBadge, campaignWhen, hasStarted, linkButtonClass } from '../common.tsx';
import { Activity } from './Activity.tsx';
import { KeyFigures } from './KeyFigures.tsx';
import { LinkTable } from './LinkTable.tsx';
import { chartRows, hasEngagement } from './timeline.ts';

const SERIES = [
  { key: 'opens', label: 'Opens', color: '#4f46e5' },
  { key: 'clicks', label: 'Clicks', color: '#0d9488' },
] as const;

function OverTime({ campaign }: { campaign: Campaign }) {
  const timeline = useCampaignTimeline(campaign.id, { live: campaign.status === 'sending' });
  const points = timeline.data?.points ?? [];
  const { granularity, rows } = chartRows(points);
  return (
    <Card aria-labelledby="over-time-title">
      <CardHeader
        titleId="over-time-title"
        title="Opens and clicks over time"
        description={`${granularity === 'hour' ? 'By hour, in your time zone' : 'By day (UTC)'}; opens and clicks by machines are left out.`}
      />
      {timeline.isError ? (
        <QueryError error={timeline.error} onRetry={() => void timeline.refetch()} />
      ) : timeline.isPending ? (
        <CardBody>
          <LoadingRegion label="Loading the timeline…">
            <Skeleton className="h-60 w-full" />
          </LoadingRegion>
        </CardBody>
      ) : !hasEngagement(points) ? (
        <EmptyState
          icon={<Icon name="dashboard" className="size-6" />}
          title="No opens or clicks yet"
          description={
            campaign.track_opens || campaign.track_clicks
              ? 'Most people open within a day of receiving a campaign. This chart fills in as they do.'
              : 'Opens and clicks were not tracked for this campaign.'
          }
        />
      ) : (
        <CardBody>
          <TimeSeriesChart title="Opens and clicks over time" data={rows} xKey="at" series={SERIES} granularity={granularity} />
        </CardBody>
      )}
    </Card>
  );
}

function Report({ campaign }: { campaign: Campaign }) {
  const live = campaign.status === 'sending';
  const engagement = useCampaignEngagement(campaign.id, { live });
  return (
    <>
      <BackLink to={`/${campaign.id}`}>{campaign.name}</BackLink>
      <PageHeader
        title={`Report: ${campaign.name}`}
        documentTitle={`Report · ${campaign.name}`}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={campaign.status} />
            <span>
              {campaignWhen(campaign)} · {formatNumber(campaign.counts.recipients)}{' '}
              {campaign.counts.recipients === 1 ? 'recipient' : 'recipients'}
            </span>
          </span>
        }
      />
      <div className="space-y-6">
        {(live || campaign.status === 'paused') && (
          <Alert
            tone="info"
            title={live ? 'Still sending' : 'Paused'}
            actions={
              <Link href={`/${campaign.id}`} className={linkButtonClass('secondary', 'sm')}>
                See the delivery progress
              </Link>
            }
          >
            The figures grow as messages go out and people open them.
          </Alert>
        )}
        <KeyFigures stats={engagement.data} error={engagement.error} onRetry={() => void engagement.refetch()} campaign={campaign} />
        <OverTime campaign={campaign} />
        <LinkTable campaign={campaign} />
        <Activity campaignId={campaign.id} />
      </div>
    </>
  );
}

/** /campaigns/:id/report: what happened once the campaign went out. */
export default function ReportPage({ id }: { id: number }) {
  return (
    <CampaignLoader id={id}>
      {(campaign) =>
        hasStarted(campaign) ? (
          <Report campaign={campaign} />
        ) : (
          <>
            <BackLink to={`/${id}`}>{campaign.name}</BackLink>
            <Card>
              <EmptyState
                icon={<Icon name="campaigns" className="size-6" />}
                title="No report yet"
                description="The report starts when the campaign is sent: deliveries, opens, clicks and responses, as they happen."
              />
            </Card>
          </>
        )
      }
    </CampaignLoader>
  );
}
