import type { Overview } from '../../api/analytics.ts';
import { TimeSeriesChart, type ChartSeries } from '../../components/charts/TimeSeriesChart.tsx';
import { MoreIcon } from '../../components/MoreIcons.tsx';
import { Card, CardBody, CardHeader, EmptyState } from '../../components/ui/index.ts';
import { ButtonLink } from './ButtonLink.tsx';

export const CHART_TITLE = 'Sends, opens and clicks, last 30 days';

const SERIES: readonly ChartSeries[] = [
  { key: 'sent', label: 'Sent', color: '#4f46e5' },
  { key: 'unique_opens', label: 'Opened', color: '#059669' },
  { key: 'unique_clicks', label: 'Clicked', color: '#d97706' },
];

/**
 * Daily sends, people who opened and people who clicked. With nothing sent in the
 * window the chart would be a flat line at zero: an invitation to send is shown instead.
 */
export function ActivityChart({ overview, canCreate }: { overview: Overview; canCreate: boolean }) {
  const empty = overview.totals.sent === 0 && overview.totals.unique_opens === 0 && overview.totals.unique_clicks === 0;
  const data = overview.daily.map(({ day, sent, unique_opens, unique_clicks }) => ({ day, sent, unique_opens, unique_clicks }));
  return (
    <Card aria-labelledby="activity-chart-title">
      <CardHeader
        titleId="activity-chart-title"
        title={CHART_TITLE}
        description="Per day (UTC). A person counts once per campaign, on the day they first opened or clicked; privacy proxies and link scanners are left out."
      />
      <CardBody>
        {empty ? (
          <EmptyState
            className="py-4"
            icon={<MoreIcon name="send" className="size-6" />}
            title="No emails sent in the last 30 days"
            description="Once a campaign goes out, this chart shows each day's sends and how many people opened and clicked."
            action={
              canCreate ? (
                <ButtonLink href="~/campaigns/new" variant="primary">
                  Create a campaign
                </ButtonLink>
              ) : undefined
            }
          />
        ) : (
          <TimeSeriesChart title={CHART_TITLE} data={data} xKey="day" series={SERIES} granularity="day" />
        )}
      </CardBody>
    </Card>
  );
}
