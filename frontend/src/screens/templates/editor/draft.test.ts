import { describe, expect, it } from 'vitest';
import type { Template } from '../../../api/templates.ts';
import { changes, draftFromTemplate, isDirty, placeProblems, previewRequest } from './draft.ts';
import { PREVIEW_CSP, previewDocument, textDocument } from './sandbox.ts';

const TEMPLATE: Template = {
  id: 3,
  name: 'Spring news',
  kind: 'marketing',
  subject: 'Hello {{ first_name }}',
  starter: 'newsletter',
  version: 2,
  created_at: '2026-03-01T10:00:00+00:00',
  updated_at: '2026-03-01T10:00:00+00:00',
  preheader: null,
  html: '<p>Hi</p>\n<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
  mjml: null,
  text: null,
  from_name: null,
  from_email: 'news@acme.example',
  reply_to: null,
  variables: [{ name: 'city', default: 'Paris', required: false, description: null }],
};

describe('the editor draft', () => {
  it('saves only what changed, with empty optional fields as null', () => {
    const saved = draftFromTemplate(TEMPLATE);
    expect(isDirty(saved, saved)).toBe(false);
    const edited = { ...saved, subject: 'Hi {{ first_name }}', fromEmail: '  ', preheader: 'Spring is here', text: 'Hi' };
    expect(changes(saved, edited)).toEqual({ subject: 'Hi {{ first_name }}', from_email: null, preheader: 'Spring is here', text: 'Hi' });
    // Clearing the text part asks the server to derive it again.
    expect(changes({ ...saved, text: 'Hi' }, { ...saved, text: ' ' })).toEqual({ text: null });
    // Variables compare by content, blank defaults being no default.
    expect(changes(saved, { ...saved, variables: [{ name: 'city ', default: 'Paris', required: false, description: '' }] })).toEqual({});
  });

  it('sends the body in the format being edited', () => {
    const saved = draftFromTemplate(TEMPLATE);
    const mjml = { ...saved, mode: 'mjml' as const, mjml: '<mjml></mjml>' };
    expect(changes(saved, mjml)).toEqual({ mjml: '<mjml></mjml>' });
    // Back to HTML in an MJML template: the HTML is sent, which drops the MJML source.
    const fromMjml = draftFromTemplate({ ...TEMPLATE, mjml: '<mjml></mjml>' });
    expect(fromMjml.mode).toBe('mjml');
    expect(changes(fromMjml, { ...fromMjml, mode: 'html' })).toEqual({ html: TEMPLATE.html });
  });

  it('asks the live preview for the whole unsaved content and the recipient', () => {
    const draft = {
      ...draftFromTemplate(TEMPLATE),
      variables: [...TEMPLATE.variables, { name: '', default: null, required: false, description: null }],
    };
    expect(previewRequest(draft, { contact_id: 9 })).toEqual({
      kind: 'marketing',
      subject: 'Hello {{ first_name }}',
      preheader: null,
      html: TEMPLATE.html,
      text: null,
      variables: [{ name: 'city', default: 'Paris', required: false, description: null }],
      contact_id: 9,
    });
  });

  it('puts each problem where the author can fix it', () => {
    const draft = draftFromTemplate(TEMPLATE);
    const placed = placeProblems(
      [
        { field: 'html', code: 'syntax_error', message: 'Unexpected end of template', line: 2 },
        { field: 'subject', code: 'unknown_variable', message: "unknown variable 'frist_name'", line: 1 },
        { field: 'text', code: 'unknown_filter', message: 'no filter named upr', line: 4 },
        { field: 'html', code: 'missing_unsubscribe', message: 'marketing emails need a visible unsubscribe link' },
      ],
      draft,
    );
    expect(placed.body).toEqual([{ line: 2, message: 'Unexpected end of template' }]);
    expect(placed.subject).toEqual(["unknown variable 'frist_name'"]);
    expect(placed.text).toEqual([{ line: 4, message: 'no filter named upr' }]);
    expect(placed.other).toEqual([{ field: 'html', message: 'marketing emails need a visible unsubscribe link' }]);
  });

  it('places errors of the HTML compiled from MJML on the MJML line that causes them', () => {
    const mjml = '<mjml>\n<mj-body>\n<mj-text>Hi {{ frist_name }}</mj-text>\n</mj-body>\n</mjml>';
    const draft = { ...draftFromTemplate(TEMPLATE), mode: 'mjml' as const, mjml };
    const placed = placeProblems(
      [
        { field: 'html', code: 'unknown_variable', message: "unknown variable 'frist_name' (did you mean 'first_name'?)", line: 24 },
        { field: 'html', code: 'syntax_error', message: 'Expected an expression', line: 30 },
        { field: 'mjml', code: 'syntax_error', message: 'MJML: unexpected end of stream', line: 5 },
      ],
      draft,
    );
    expect(placed.body).toEqual([
      { line: 3, message: "unknown variable 'frist_name' (did you mean 'first_name'?)" },
      { line: 5, message: 'MJML: unexpected end of stream' },
    ]);
    expect(placed.other).toEqual([{ field: 'mjml', message: 'Expected an expression (line 30 of the HTML compiled from the MJML)' }]);
  });
});

describe('the preview document', () => {
  it('adds the policy first in the head and keeps the doctype first', () => {
    const html = '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body><script>alert(1)</script></body></html>';
    const doc = previewDocument(html);
    expect(doc.startsWith('<!DOCTYPE html><html lang="en"><head><meta http-equiv="Content-Security-Policy"')).toBe(true);
    expect(doc).toContain("script-src 'none'");
    expect(previewDocument('<p>bare</p>')).toBe(`<meta http-equiv="Content-Security-Policy" content="${PREVIEW_CSP}"><p>bare</p>`);
    expect(previewDocument('<html><body>x</body></html>')).toContain('<html><head><meta http-equiv');
  });

  it('shows the text part as escaped text', () => {
    const doc = textDocument('Hi <b>you</b> & co');
    expect(doc).toContain('<pre>Hi &lt;b&gt;you&lt;/b&gt; &amp; co</pre>');
  });
});
