import { act, fireEvent, screen, within } from '@testing-library/react';
import { forwardRef } from 'react';
import { describe, expect, it, vi } from 'vitest';
import type { Template } from '../../../api/templates.ts';
import { errorBody, fakeApi, json, type Recorded } from '../../../test/http.ts';
import { renderScreen } from '../../contacts/testing.tsx';
import type { CodeEditorProps } from './CodeEditor.tsx';
import TemplateEditorPage, { PREVIEW_DEBOUNCE_MS } from './TemplateEditor.tsx';

// CodeMirror needs a real layout engine; a textarea stands in for it here (the
// end-to-end tests drive the real editor in Chromium).
vi.mock('./CodeEditor.tsx', () => {
  const Fake = forwardRef<unknown, CodeEditorProps>(function Fake({ value, onChange, label, problems = [] }, _ref) {
    return (
      <div>
        <textarea aria-label={label} value={value} onChange={(event) => onChange(event.target.value)} />
        <output data-testid={`problems-${label}`}>{problems.map((problem) => problem.line).join(',')}</output>
      </div>
    );
  });
  return { default: Fake, CodeEditor: Fake };
});

const TEMPLATE: Template = {
  id: 3,
  name: 'Spring news',
  kind: 'marketing',
  subject: 'Hello {{ first_name }}',
  starter: null,
  version: 1,
  created_at: '2026-03-01T10:00:00+00:00',
  updated_at: '2026-03-01T10:00:00+00:00',
  preheader: null,
  html: '<p>Hi</p>\n<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  mjml: null,
  text: null,
  from_name: null,
  from_email: null,
  reply_to: null,
  variables: [],
};

function api(preview: (request: Recorded) => ReturnType<typeof json>) {
  return fakeApi({
    'GET /api/v1/templates/3': json(200, TEMPLATE),
    'GET /api/v1/contacts/fields': json(200, []),
    'GET /api/v1/contacts': json(200, { items: [], next_cursor: null }),
    'POST /api/v1/templates/preview': preview,
  });
}

const rendered = (request: Recorded) => {
  const body = request.body as { subject: string; html: string };
  return json(200, { subject: body.subject.replace('{{ first_name }}', 'Jane'), html: body.html, text: 'Hi', revision_id: null });
};

/** Let `ms` pass on the fake clock, then let the answers of the fake API arrive. */
async function settle(ms: number) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
  for (let round = 0; round < 5; round++) {
    await act(async () => {
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      await vi.advanceTimersByTimeAsync(0);
    });
  }
}

describe('TemplateEditor', () => {
  it('previews the unsaved content once typing pauses, not on every keystroke', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    const { requests } = api(rendered);
    renderScreen(<TemplateEditorPage id={3} />, { base: '/templates', path: '/3' });
    await settle(50);
    const previews = () => requests.filter((request) => request.path === '/api/v1/templates/preview');
    await settle(PREVIEW_DEBOUNCE_MS);
    expect(previews()).toHaveLength(1);
    expect(screen.getByTestId('preview-subject').textContent).toBe('Hello Jane');

    const subject = screen.getByLabelText('Subject');
    for (const text of ['W', 'We', 'Wel', 'Welcome {{ first_name }}']) {
      fireEvent.change(subject, { target: { value: text } });
      await settle(100);
    }
    // 400 ms after the first keystroke, 100 after the last: nothing asked yet.
    expect(previews()).toHaveLength(1);
    await settle(PREVIEW_DEBOUNCE_MS);
    expect(previews()).toHaveLength(2);
    expect((previews()[1]!.body as { subject: string }).subject).toBe('Welcome {{ first_name }}');
    expect(screen.getByTestId('preview-subject').textContent).toBe('Welcome Jane');

    // The preview is a sandboxed frame: no scripts, no same-origin access.
    const frame = screen.getByTitle('Preview of the email') as HTMLIFrameElement;
    expect(frame.getAttribute('sandbox')).toBe('');
    expect(frame.getAttribute('srcdoc')).toContain('<p>Hi</p>');
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
  });

  it('shows validation errors at their line and keeps the last valid preview', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false });
    api((request) =>
      (request.body as { html: string }).html.includes('{% if %}')
        ? json(
            422,
            errorBody('template_invalid', 'html line 2: Expected an expression', {
              errors: [{ field: 'html', code: 'syntax_error', message: "Expected an expression, got 'end of statement block'", line: 2 }],
            }),
          )
        : rendered(request),
    );
    renderScreen(<TemplateEditorPage id={3} />, { base: '/templates', path: '/3' });
    await settle(PREVIEW_DEBOUNCE_MS + 50);
    fireEvent.change(screen.getByLabelText('HTML source'), {
      target: { value: '<p>Hi</p>\n{% if %}\n<a href="{{ unsubscribe_url }}">u</a>' },
    });
    await settle(PREVIEW_DEBOUNCE_MS + 50);
    const errors = screen.getByRole('list', { name: 'Errors in the source' });
    expect(within(errors).getByRole('button', { name: 'Line 2' })).toBeTruthy();
    expect(errors.textContent).toContain("Expected an expression, got 'end of statement block'");
    expect(screen.getByTestId('problems-HTML source').textContent).toBe('2');
    expect(screen.getByText('Last valid version: fix the errors to update')).toBeTruthy();
    expect(screen.getByTestId('preview-subject').textContent).toBe('Hello Jane');
  });
});
