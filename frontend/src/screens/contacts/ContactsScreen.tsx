import { lazy, type ComponentType } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { NotFoundScreen } from '../NotFoundScreen.tsx';
import { ContactList } from './list/ContactList.tsx';

// The other pages load on first visit; the list is where most visits start.
const ContactPage = lazy(() => import('./contact/ContactPage.tsx'));
const GroupsPage = lazy(() => import('./groups/GroupsPage.tsx'));
const SegmentsPage = lazy(() => import('./segments/SegmentsPage.tsx'));
const SegmentEditor = lazy(() => import('./segments/SegmentEditor.tsx'));
const SuppressionsPage = lazy(() => import('./suppressions/SuppressionsPage.tsx'));
const FieldsPage = lazy(() => import('./fields/FieldsPage.tsx'));
const ImportWizard = lazy(() => import('./import/ImportWizard.tsx'));
const ImportPage = lazy(() => import('./import/ImportPage.tsx'));
const ImportsPage = lazy(() => import('./import/ImportsPage.tsx'));

/** The pages of the tabs (ContactsHeader.tsx's TABS), by path. */
const TAB_PAGES: Record<string, ComponentType> = {
  '/': ContactList,
  '/groups': GroupsPage,
  '/segments': SegmentsPage,
  '/imports': ImportsPage,
  '/suppressions': SuppressionsPage,
  '/fields': FieldsPage,
};

/**
 * /contacts and everything under it: the list (with filters in the query string), a
 * contact's page, groups, segments (list and rule builder), imports (wizard, progress,
 * history), suppressions and custom fields.
 */
export default function ContactsScreen() {
  const [location] = useLocation();
  const numeric = /^\/(\d+)$/.exec(location);
  return (
    <Switch>
      {Object.entries(TAB_PAGES).map(([path, component]) => (
        <Route key={path} path={path} component={component} />
      ))}
      <Route path="/import" component={ImportWizard} />
      <Route path="/imports/:id">
        {(params: { id: string }) => (/^\d+$/.test(params.id) ? <ImportPage key={params.id} id={Number(params.id)} /> : <NotFoundScreen />)}
      </Route>
      <Route path="/segments/new">
        <SegmentEditor id={null} />
      </Route>
      <Route path="/segments/:id">
        {(params: { id: string }) =>
          /^\d+$/.test(params.id) ? <SegmentEditor key={params.id} id={Number(params.id)} /> : <NotFoundScreen />
        }
      </Route>
      <Route>{numeric ? <ContactPage key={numeric[1]} id={Number(numeric[1])} /> : <NotFoundScreen />}</Route>
    </Switch>
  );
}
