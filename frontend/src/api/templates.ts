/**
 * Templates (blueprints/templates/api.py): the list, starters, the editable template and
 * its revisions, previews (saved or unsaved content) and test sends.
 *
 * Preview HTML is the author's: it is shown only inside a sandboxed iframe (see
 * screens/templates/PreviewFrame.tsx), never in the app's DOM.
 */

import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { api, type Page } from './client.ts';
import { ApiError } from './errors.ts';

export type TemplateKind = 'marketing' | 'transactional';

export interface TemplateVariable {
  name: string;
  default: string | null;
  required: boolean;
  description: string | null;
}

export interface TemplateSummary {
  id: number;
  name: string;
  kind: TemplateKind;
  subject: string;
  starter: string | null;
  /** Number of the latest revision. */
  version: number;
  created_at: string;
  updated_at: string;
}

export interface Template extends TemplateSummary {
  preheader: string | null;
  /** The HTML source, or the HTML compiled from `mjml`. */
  html: string;
  /** The MJML source when the template is written in MJML. */
  mjml: string | null;
  /** The plain-text part; null: derived from the HTML. */
  text: string | null;
  from_name: string | null;
  from_email: string | null;
  reply_to: string | null;
  variables: TemplateVariable[];
}

/** The content fields a save or an unsaved preview sends. */
export interface TemplateContent {
  kind?: TemplateKind;
  subject?: string;
  preheader?: string | null;
  html?: string;
  mjml?: string | null;
  text?: string | null;
  from_name?: string | null;
  from_email?: string | null;
  reply_to?: string | null;
  variables?: TemplateVariable[];
}

export interface TemplateCreate extends TemplateContent {
  name: string;
  starter?: string;
}

export interface Starter {
  key: string;
  name: string;
  description: string;
  subject: string;
  preheader: string;
}

export interface RevisionSummary {
  id: number;
  template_id: number;
  number: number;
  subject: string;
  created_at: string;
  created_by_id: number | null;
}

export interface Revision extends RevisionSummary {
  kind: TemplateKind;
  preheader: string | null;
  html: string;
  mjml: string | null;
  text: string | null;
  from_name: string | null;
  from_email: string | null;
  reply_to: string | null;
  variables: TemplateVariable[];
}

/** Whom a preview or test is personalised for: a contact, sample fields, or neither (Jane Doe). */
export interface Recipient {
  contact_id?: number;
  sample?: SampleContact;
}

export interface SampleContact {
  email?: string;
  first_name?: string | null;
  last_name?: string | null;
  attributes?: Record<string, unknown>;
}

export interface RenderedPreview {
  subject: string;
  html: string;
  text: string;
  revision_id: number | null;
}

export interface TestSendResult {
  recipients: string[];
  subject: string;
  revision_id: number;
}

/** One reason a template does not validate (`template_invalid`'s `details.errors`). */
export interface TemplateProblem {
  field: string;
  code: string;
  message: string;
  line?: number;
}

export const MAX_TEST_RECIPIENTS = 5;

/** The problems listed by a `template_invalid` (or a render failure) error; [] for others. */
export function templateProblems(error: unknown): TemplateProblem[] {
  if (!(error instanceof ApiError)) return [];
  const errors = error.details['errors'];
  if (Array.isArray(errors)) {
    return errors
      .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
      .map((item) => ({
        field: typeof item['field'] === 'string' ? item['field'] : '',
        code: typeof item['code'] === 'string' ? item['code'] : error.code,
        message: typeof item['message'] === 'string' ? item['message'] : error.message,
        ...(typeof item['line'] === 'number' ? { line: item['line'] } : {}),
      }));
  }
  if (error.status === 422 && (error.code.startsWith('render') || error.code === 'missing_variable')) {
    return [{ field: '', code: error.code, message: error.message }];
  }
  return [];
}

export const templateKeys = {
  all: ['templates'] as const,
  list: ['templates', 'list'] as const,
  starters: ['templates', 'starters'] as const,
  detail: (id: number) => ['templates', 'detail', id] as const,
  revisions: (id: number) => ['templates', 'revisions', id] as const,
  draftPreview: (key: string) => ['templates', 'draft-preview', key] as const,
  savedPreview: (id: number, revisionId: number | null, recipient: string) => ['templates', 'preview', id, revisionId, recipient] as const,
};

export function useTemplates() {
  return useInfiniteQuery<Page<TemplateSummary>, Error, InfiniteData<Page<TemplateSummary>>, readonly string[], string | null>({
    queryKey: templateKeys.list,
    queryFn: ({ pageParam, signal }) => api.get<Page<TemplateSummary>>('/templates', { query: { limit: 50, cursor: pageParam }, signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export function useStarters() {
  return useQuery({
    queryKey: templateKeys.starters,
    queryFn: ({ signal }) => api.get<Starter[]>('/templates/starters', { signal }),
    staleTime: Infinity,
  });
}

export function useTemplate(id: number) {
  return useQuery({
    queryKey: templateKeys.detail(id),
    queryFn: ({ signal }) => api.get<Template>(`/templates/${id}`, { signal }),
  });
}

export function useCreateTemplate() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: TemplateCreate) => api.post<Template>('/templates', input),
    onSuccess: (template) => {
      client.setQueryData(templateKeys.detail(template.id), template);
      return client.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
}

/** Saves changes; content changes become a new revision. */
export function useUpdateTemplate(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (changes: TemplateContent & { name?: string }) => api.patch<Template>(`/templates/${id}`, changes),
    onSuccess: (template) => {
      client.setQueryData(templateKeys.detail(id), template);
      void client.invalidateQueries({ queryKey: templateKeys.revisions(id) });
      return client.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
}

export function useDeleteTemplate() {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: number) => api.delete(`/templates/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: templateKeys.list }),
  });
  const forget = (id: number) => client.removeQueries({ queryKey: templateKeys.detail(id) });
  return { ...mutation, forget };
}

export function useRevisions(id: number, enabled = true) {
  return useInfiniteQuery<Page<RevisionSummary>, Error, InfiniteData<Page<RevisionSummary>>, readonly unknown[], string | null>({
    queryKey: templateKeys.revisions(id),
    queryFn: ({ pageParam, signal }) =>
      api.get<Page<RevisionSummary>>(`/templates/${id}/revisions`, { query: { limit: 20, cursor: pageParam }, signal }),
    initialPageParam: null,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    enabled,
  });
}

export function fetchRevision(templateId: number, revisionId: number): Promise<Revision> {
  return api.get<Revision>(`/templates/${templateId}/revisions/${revisionId}`);
}

/**
 * The live preview of unsaved content: validated and rendered by the server. `request`
 * is null while there is nothing to ask (the caller debounces typing into it). The last
 * rendering stays as `data` while the next one loads or when the content is invalid.
 */
export function useDraftPreview(request: (TemplateContent & Recipient) | null) {
  const key = JSON.stringify(request);
  return useQuery({
    queryKey: templateKeys.draftPreview(key),
    queryFn: ({ signal }) => api.post<RenderedPreview>('/templates/preview', request, { signal }),
    enabled: request !== null,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    retry: false,
  });
}

/** A saved template (its latest or a given revision) rendered for a recipient. */
export function useSavedPreview(id: number, revisionId: number | null, recipient: Recipient, enabled = true) {
  return useQuery({
    queryKey: templateKeys.savedPreview(id, revisionId, JSON.stringify(recipient)),
    queryFn: ({ signal }) =>
      api.post<RenderedPreview>(
        `/templates/${id}/preview`,
        { ...recipient, ...(revisionId ? { revision_id: revisionId } : {}) },
        { signal },
      ),
    enabled,
    placeholderData: keepPreviousData,
    retry: false,
  });
}

export function useSendTest(id: number) {
  return useMutation({
    mutationFn: (input: { emails: string[] } & Recipient) => api.post<TestSendResult>(`/templates/${id}/test-send`, input),
  });
}
