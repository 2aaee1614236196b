/**
 * Segments and suppressions (blueprints/contacts/api_lists.py): who a campaign goes to and
 * who it never reaches. Saved segments, the live count and preview of a definition being
 * edited, and the suppression list, as types and TanStack Query hooks.
 */

import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type Page } from './client.ts';
import { contactKeys, listAll, usePages, type Contact } from './contacts.ts';

// --- types -------------------------------------------------------------------------------

/** A segment's condition tree (docs/contacts.md, "Segments"). */
export type SegmentDefinition = Record<string, unknown>;

export interface Segment {
  id: number;
  name: string;
  description: string | null;
  definition: SegmentDefinition;
  created_at: string;
  updated_at: string;
}

export type SuppressionKind = 'email' | 'domain';
export interface Suppression {
  id: number;
  kind: SuppressionKind;
  value: string;
  reason: 'manual' | 'import' | 'bounce' | 'complaint' | 'unsubscribe';
  note: string | null;
  created_at: string;
}

// --- segments ----------------------------------------------------------------------------

export function useAllSegments() {
  return useQuery({
    queryKey: [...contactKeys.segments, 'all'],
    queryFn: ({ signal }) => listAll<Segment>('/segments', signal),
  });
}

/** A saved segment; nothing is asked for a new one (`id` null). */
export function useSegment(id: number | null) {
  return useQuery({
    queryKey: contactKeys.segment(id ?? 0),
    queryFn: ({ signal }) => api.get<Segment>(`/segments/${id}`, { signal }),
    enabled: id !== null,
  });
}

export function useSaveSegment(id: number | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; description: string | null; definition: SegmentDefinition }) =>
      id === null ? api.post<Segment>('/segments', input) : api.patch<Segment>(`/segments/${id}`, input),
    onSuccess: (segment) => {
      client.setQueryData(contactKeys.segment(segment.id), segment);
      void client.invalidateQueries({ queryKey: [...contactKeys.segments, 'all'] });
      void client.invalidateQueries({ queryKey: contactKeys.all });
    },
  });
}

export function useDeleteSegment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/segments/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: [...contactKeys.segments, 'all'] }),
  });
}

/**
 * How many contacts an unsaved definition matches. `definition` is null while the rules
 * are incomplete (nothing is asked); `{}` means "every contact" (no rule yet).
 */
export function useSegmentCount(definition: SegmentDefinition | null) {
  const key = JSON.stringify(definition);
  const empty = definition !== null && Object.keys(definition).length === 0;
  return useQuery({
    queryKey: contactKeys.segmentCount(key),
    queryFn: ({ signal }) =>
      empty
        ? api.get<{ count: number }>('/contacts/count', { signal })
        : api.post<{ count: number }>('/segments/count', { definition }, { signal }),
    enabled: definition !== null,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

export const SEGMENT_PREVIEW_SIZE = 10;

export function useSegmentPreview(definition: SegmentDefinition | null) {
  const key = JSON.stringify(definition);
  const empty = definition !== null && Object.keys(definition).length === 0;
  return useQuery({
    queryKey: contactKeys.segmentPreview(key),
    queryFn: ({ signal }) =>
      empty
        ? api.get<Page<Contact>>('/contacts', { query: { limit: SEGMENT_PREVIEW_SIZE }, signal })
        : api.post<Page<Contact>>('/segments/preview', { definition }, { query: { limit: SEGMENT_PREVIEW_SIZE }, signal }),
    enabled: definition !== null,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });
}

// --- suppressions ------------------------------------------------------------------------

export function useSuppressions(filters: { q?: string; kind?: SuppressionKind }) {
  return usePages<Suppression>(
    [...contactKeys.suppressions, filters],
    '/suppressions',
    { q: filters.q || undefined, kind: filters.kind },
    50,
  );
}

export function useAddSuppression() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { value: string; note?: string | null }) => api.post<Suppression>('/suppressions', input),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.suppressions }),
  });
}

export function useRemoveSuppression() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: number) => api.delete(`/suppressions/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: contactKeys.suppressions }),
  });
}
