import { lazy, type ReactNode } from 'react';
import { Route, Switch } from 'wouter';
import { NotFoundScreen } from '../NotFoundScreen.tsx';
import { CampaignList } from './list/CampaignList.tsx';
import { NewCampaignPage } from './NewCampaignPage.tsx';
import { isStep } from './wizard/steps.ts';

// The list is where most visits start; the other pages load on first visit.
const CampaignPage = lazy(() => import('./detail/CampaignPage.tsx'));
const CampaignWizard = lazy(() => import('./wizard/CampaignWizard.tsx'));
const ReportPage = lazy(() => import('./report/ReportPage.tsx'));

/** The page for a numeric `:id`, else the 404 page. */
function withId(id: string, page: (id: number) => ReactNode): ReactNode {
  return /^\d+$/.test(id) ? page(Number(id)) : <NotFoundScreen />;
}

/**
 * /campaigns and everything under it: the list (`?status=` filters), `/new`, a campaign's
 * page (`/:id`: progress, schedule, outcome), the wizard (`/:id/edit/:step`: audience,
 * template, settings, review, then send or schedule) and the report (`/:id/report`).
 */
export default function CampaignsScreen() {
  return (
    <Switch>
      <Route path="/" component={CampaignList} />
      <Route path="/new" component={NewCampaignPage} />
      <Route path="/:id/edit/:step?">
        {(params: { id: string; step?: string }) => {
          const step = params.step ?? 'audience';
          return isStep(step) ? withId(params.id, (id) => <CampaignWizard key={id} id={id} step={step} />) : <NotFoundScreen />;
        }}
      </Route>
      <Route path="/:id/report">{(params: { id: string }) => withId(params.id, (id) => <ReportPage key={id} id={id} />)}</Route>
      <Route path="/:id">{(params: { id: string }) => withId(params.id, (id) => <CampaignPage key={id} id={id} />)}</Route>
      <Route component={NotFoundScreen} />
    </Switch>
  );
}
