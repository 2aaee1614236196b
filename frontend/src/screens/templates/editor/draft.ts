/**
 * The editor's working copy of a template: what was loaded, what the person changed, what
 * a save sends, and what the live preview asks the server to render.
 */

import type {
  Recipient,
  Revision,
  Template,
  TemplateContent,
  TemplateKind,
  TemplateProblem,
  TemplateVariable,
} from '../../../api/templates.ts';

export type SourceMode = 'html' | 'mjml';

export interface Draft {
  name: string;
  kind: TemplateKind;
  subject: string;
  preheader: string;
  fromName: string;
  fromEmail: string;
  replyTo: string;
  mode: SourceMode;
  html: string;
  mjml: string;
  /** '' = derived from the HTML. */
  text: string;
  variables: TemplateVariable[];
}

export function draftFromTemplate(
  template: Pick<
    Template,
    'name' | 'kind' | 'subject' | 'preheader' | 'from_name' | 'from_email' | 'reply_to' | 'html' | 'mjml' | 'text' | 'variables'
  >,
): Draft {
  return {
    name: template.name,
    kind: template.kind,
    subject: template.subject ?? '',
    preheader: template.preheader ?? '',
    fromName: template.from_name ?? '',
    fromEmail: template.from_email ?? '',
    replyTo: template.reply_to ?? '',
    mode: template.mjml ? 'mjml' : 'html',
    html: template.html ?? '',
    mjml: template.mjml ?? '',
    text: template.text ?? '',
    variables: template.variables.map((variable) => ({ ...variable })),
  };
}

/** A revision's content in the editor, under the template's current name. */
export function draftFromRevision(revision: Revision, name: string): Draft {
  return draftFromTemplate({ ...revision, name, variables: revision.variables ?? [] });
}

const optional = (value: string): string | null => (value.trim() === '' ? null : value.trim());

function sameVariables(a: readonly TemplateVariable[], b: readonly TemplateVariable[]): boolean {
  return JSON.stringify(a.map(normaliseVariable)) === JSON.stringify(b.map(normaliseVariable));
}

function normaliseVariable(variable: TemplateVariable): TemplateVariable {
  return {
    name: variable.name.trim(),
    default: variable.default === null || variable.default === '' ? null : variable.default,
    required: Boolean(variable.required),
    description: variable.description === null || variable.description === '' ? null : variable.description,
  };
}

/** The body source the draft is written in (HTML or MJML). */
export function bodySource(draft: Draft): { html: string } | { mjml: string } {
  return draft.mode === 'mjml' ? { mjml: draft.mjml } : { html: draft.html };
}

/**
 * The fields a save sends: only those that changed. Writing HTML in a template that was
 * MJML sends the HTML, which drops the MJML source on the server (as documented).
 */
export function changes(saved: Draft, draft: Draft): TemplateContent & { name?: string } {
  const result: TemplateContent & { name?: string } = {};
  if (draft.name.trim() !== saved.name) result.name = draft.name.trim();
  if (draft.kind !== saved.kind) result.kind = draft.kind;
  if (draft.subject !== saved.subject) result.subject = draft.subject;
  if (draft.preheader !== saved.preheader) result.preheader = optional(draft.preheader);
  if (draft.fromName !== saved.fromName) result.from_name = optional(draft.fromName);
  if (draft.fromEmail !== saved.fromEmail) result.from_email = optional(draft.fromEmail);
  if (draft.replyTo !== saved.replyTo) result.reply_to = optional(draft.replyTo);
  if (draft.mode === 'mjml') {
    if (saved.mode !== 'mjml' || draft.mjml !== saved.mjml) result.mjml = draft.mjml;
  } else if (saved.mode !== 'html' || draft.html !== saved.html) {
    result.html = draft.html;
  }
  if (draft.text !== saved.text) result.text = draft.text.trim() === '' ? null : draft.text;
  if (!sameVariables(saved.variables, draft.variables)) result.variables = draft.variables.map(normaliseVariable);
  return result;
}

export function isDirty(saved: Draft, draft: Draft): boolean {
  return Object.keys(changes(saved, draft)).length > 0;
}

/** What the live preview sends: the whole content (unsaved), and whom to render it for. */
export function previewRequest(draft: Draft, recipient: Recipient): TemplateContent & Recipient {
  return {
    kind: draft.kind,
    subject: draft.subject,
    preheader: optional(draft.preheader),
    ...bodySource(draft),
    text: draft.text.trim() === '' ? null : draft.text,
    variables: draft.variables.filter((variable) => variable.name.trim() !== '').map(normaliseVariable),
    ...recipient,
  };
}

/** A problem placed on a line of one of the editor's sources (1-based). */
export interface LineProblem {
  line: number;
  message: string;
}

export interface PlacedProblems {
  /** On the body source being edited (HTML or MJML). */
  body: LineProblem[];
  text: LineProblem[];
  subject: string[];
  preheader: string[];
  /** Not tied to a line of the sources shown (a missing unsubscribe link, a variable). */
  other: { field: string; message: string }[];
}

/** The 1-based line of the first match of `pattern` in `source`, or null. */
function lineOf(source: string, pattern: RegExp): number | null {
  const match = pattern.exec(source);
  if (!match) return null;
  return source.slice(0, match.index).split('\n').length;
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Where each problem goes. Errors in the HTML compiled from MJML carry lines of that
 * HTML, which the author never sees: a problem naming a variable, filter or test is
 * placed on the MJML line that uses it, anything else is listed without a line.
 */
export function placeProblems(problems: readonly TemplateProblem[], draft: Draft): PlacedProblems {
  const placed: PlacedProblems = { body: [], text: [], subject: [], preheader: [], other: [] };
  for (const problem of problems) {
    const { field, message, line } = problem;
    if (field === draft.mode && line !== undefined) {
      placed.body.push({ line, message });
    } else if (field === 'html' && draft.mode === 'mjml' && line !== undefined) {
      const name = /'([A-Za-z_][\w.]*)'/.exec(message)?.[1];
      const found = name ? lineOf(draft.mjml, new RegExp(`(\\{\\{|\\{%|\\|)[^}]*\\b${escapeRegExp(name)}\\b`)) : null;
      if (found !== null) placed.body.push({ line: found, message });
      else placed.other.push({ field: 'mjml', message: `${message} (line ${line} of the HTML compiled from the MJML)` });
    } else if (field === 'text' && line !== undefined) {
      placed.text.push({ line, message });
    } else if (field === 'subject' || field === 'preheader') {
      placed[field].push(line !== undefined && line > 1 ? `Line ${line}: ${message}` : message);
    } else {
      placed.other.push({ field, message: line !== undefined ? `Line ${line}: ${message}` : message });
    }
  }
  return placed;
}

export const FIELD_NAMES: Record<string, string> = {
  html: 'HTML',
  mjml: 'MJML',
  text: 'Plain text',
  subject: 'Subject',
  preheader: 'Preheader',
  variables: 'Variables',
  from_email: 'From address',
  reply_to: 'Reply-to',
  name: 'Name',
};
