/**
 * Sending domains (blueprints/domains/api.py): the DNS records an organization publishes
 * to prove it controls a domain and to authenticate its mail, and their verification.
 */

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { usePagedList } from './accounts.ts';
import { api } from './client.ts';

export type DomainStatus = 'pending' | 'verified' | 'failed';
export type RecordPurpose = 'ownership' | 'spf' | 'dkim' | 'dmarc';
export type DomainProvider = 'sendgrid' | 'smtp';

/** One record to publish, with the outcome of the last check. */
export interface DnsRecord {
  purpose: RecordPurpose;
  type: 'TXT' | 'CNAME';
  /** Fully qualified, without the final dot. */
  name: string;
  value: string;
  /** `pending`: not checked yet, or DNS did not answer (nothing was concluded). */
  status: DomainStatus;
  /** What the last check found and what to fix, written for a person. */
  detail: string;
}

export interface Domain {
  id: number;
  name: string;
  provider: DomainProvider;
  status: DomainStatus;
  dkim_selector: string | null;
  records: DnsRecord[];
  last_checked_at: string | null;
  verified_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface DomainInput {
  name: string;
  /** Left out: the server picks the records of its configured mail backend. */
  provider?: DomainProvider;
}

export const domainKeys = {
  all: ['domains'] as const,
  list: ['domains', 'list'] as const,
  detail: (id: number) => ['domains', 'detail', id] as const,
};

export function useDomains() {
  return usePagedList<Domain>(domainKeys.list, '/domains');
}

export function useDomain(id: number) {
  return useQuery({
    queryKey: domainKeys.detail(id),
    queryFn: ({ signal }) => api.get<Domain>(`/domains/${id}`, { signal }),
  });
}

export function useCreateDomain() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: DomainInput) => api.post<Domain>('/domains', input),
    onSuccess: (domain) => {
      client.setQueryData(domainKeys.detail(domain.id), domain);
      return client.invalidateQueries({ queryKey: domainKeys.list });
    },
  });
}

/** Checks every record in DNS now; a failed check is a 200 with failed records. */
export function useVerifyDomain(id: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<Domain>(`/domains/${id}/verify`),
    onSuccess: (domain) => {
      client.setQueryData(domainKeys.detail(id), domain);
      return client.invalidateQueries({ queryKey: domainKeys.list });
    },
  });
}

/**
 * Removes a domain. The caller leaves the domain's page first and then calls
 * `forget(id)`: dropping the cached domain while its page is still shown would make
 * the page fetch it again (a 404).
 */
export function useDeleteDomain() {
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: (id: number) => api.delete(`/domains/${id}`),
    onSuccess: () => client.invalidateQueries({ queryKey: domainKeys.list }),
  });
  const forget = (id: number) => client.removeQueries({ queryKey: domainKeys.detail(id) });
  return { ...mutation, forget };
}
