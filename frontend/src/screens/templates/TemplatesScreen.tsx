import { lazy } from 'react';
import { Route, Switch } from 'wouter';
import { NotFoundScreen } from '../NotFoundScreen.tsx';
import { TemplateList } from './TemplateList.tsx';

// The editor (with CodeMirror behind it) loads only when a template is opened.
const TemplateEditorPage = lazy(() => import('./editor/TemplateEditor.tsx'));

/** /templates: the list and starter gallery; /templates/:id: the editor. */
export default function TemplatesScreen() {
  return (
    <Switch>
      <Route path="/" component={TemplateList} />
      <Route path="/:id">
        {(params: { id: string }) =>
          /^\d+$/.test(params.id) ? <TemplateEditorPage key={params.id} id={Number(params.id)} /> : <NotFoundScreen />
        }
      </Route>
      <Route component={NotFoundScreen} />
    </Switch>
  );
}
