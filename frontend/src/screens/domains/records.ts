/**
 * What the domain page does with a domain's DNS records: group them by purpose, explain
 * each purpose in a sentence, derive the host name DNS providers ask for, and write the
 * records as zone-file lines.
 */

import type { DnsRecord, Domain, DomainStatus } from '../../api/domains.ts';

export interface PurposeInfo {
  title: string;
  /** One line: what the record is for. */
  summary: string;
}

/** In the order a person pastes them (the order of the API's list). */
export const PURPOSES: Readonly<Record<string, PurposeInfo>> = {
  ownership: {
    title: 'Ownership',
    summary: 'Proves that your organization controls this domain. Only EngageX reads it; it changes nothing about your mail.',
  },
  spf: {
    title: 'SPF',
    summary: 'Lists the servers allowed to send mail for the domain, so that receivers accept what EngageX sends for you.',
  },
  dkim: {
    title: 'DKIM',
    summary: 'Publishes the key that checks the signature on every message: proof that it comes from you and was not altered.',
  },
  dmarc: {
    title: 'DMARC',
    summary: 'Tells receivers what to do with mail that fails SPF and DKIM. Gmail and Yahoo require it from bulk senders.',
  },
};
const ORDER = Object.keys(PURPOSES);

export interface RecordGroup {
  purpose: string;
  info: PurposeInfo;
  records: DnsRecord[];
  /** failed if any record failed, verified when all are, else pending. */
  status: DomainStatus;
}

export function combinedStatus(records: readonly DnsRecord[]): DomainStatus {
  if (records.some((record) => record.status === 'failed')) return 'failed';
  if (records.length > 0 && records.every((record) => record.status === 'verified')) return 'verified';
  return 'pending';
}

/** Records by purpose, known purposes first in their order, then any other in API order. */
export function groupRecords(records: readonly DnsRecord[]): RecordGroup[] {
  const byPurpose = new Map<string, DnsRecord[]>();
  for (const record of records) {
    const list = byPurpose.get(record.purpose);
    if (list) list.push(record);
    else byPurpose.set(record.purpose, [record]);
  }
  const purposes = [
    ...ORDER.filter((purpose) => byPurpose.has(purpose)),
    ...[...byPurpose.keys()].filter((purpose) => !ORDER.includes(purpose)),
  ];
  return purposes.map((purpose) => {
    const list = byPurpose.get(purpose)!;
    return {
      purpose,
      info: PURPOSES[purpose] ?? { title: purpose.toUpperCase(), summary: '' },
      records: list,
      status: combinedStatus(list),
    };
  });
}

export interface RecordCounts {
  total: number;
  verified: number;
  failed: number;
  pending: number;
}

export function countRecords(records: readonly DnsRecord[]): RecordCounts {
  const counts: RecordCounts = { total: records.length, verified: 0, failed: 0, pending: 0 };
  for (const record of records) counts[record.status] += 1;
  return counts;
}

/**
 * The name as most DNS providers want it in their "Host" field: relative to the domain,
 * `@` for the domain itself. A name outside the domain is returned whole.
 */
export function hostLabel(name: string, domain: string): string {
  const fqdn = name.toLowerCase().replace(/\.$/, '');
  const zone = domain.toLowerCase().replace(/\.$/, '');
  if (fqdn === zone) return '@';
  if (fqdn.endsWith(`.${zone}`)) return fqdn.slice(0, -(zone.length + 1));
  return fqdn;
}

/** The terms of an SPF value between `v=spf1` and the final `all` ("include:sendgrid.net"). */
export function spfMechanisms(value: string): string {
  return value
    .trim()
    .split(/\s+/)
    .filter((term) => term.toLowerCase() !== 'v=spf1' && !/^[-~+?]?all$/i.test(term))
    .join(' ');
}

const TXT_CHUNK = 255;

function quoteTxt(value: string): string {
  const chunks: string[] = [];
  for (let index = 0; index < value.length; index += TXT_CHUNK) chunks.push(value.slice(index, index + TXT_CHUNK));
  if (chunks.length === 0) chunks.push('');
  return chunks.map((chunk) => `"${chunk.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(' ');
}

/**
 * The records as zone-file lines, as `engagex domains records --zone` prints them: long
 * TXT values are split into 255-character strings (the values are ASCII), CNAME targets
 * end with a dot.
 */
export function zoneFile(records: readonly DnsRecord[], ttl = 3600): string {
  return records
    .map((record) => {
      const data = record.type === 'TXT' ? quoteTxt(record.value) : `${record.value.replace(/\.$/, '')}.`;
      return `${record.name}. ${ttl} IN ${record.type} ${data}`;
    })
    .join('\n');
}

/** A domain that was never checked has records in the "not checked yet" pending state. */
export function neverChecked(domain: Pick<Domain, 'last_checked_at'>): boolean {
  return domain.last_checked_at === null;
}

/** Advice for a group beyond its one-line summary: the mistakes people make with it. */
export function groupTip(group: Pick<RecordGroup, 'purpose' | 'records'>): string | null {
  const first = group.records[0];
  if (!first) return null;
  switch (group.purpose) {
    case 'spf':
      return (
        'A domain has a single SPF record. If yours already has one (it starts with v=spf1), add ' +
        `${spfMechanisms(first.value)} to it before the final "all" instead of creating a second record.`
      );
    case 'dkim':
      return first.type === 'CNAME'
        ? 'Publish them as plain CNAME records: turn off any proxying for these names (Cloudflare’s orange cloud).'
        : 'The value is long: paste all of it. Some DNS hosts store it as several quoted strings, which is fine.';
    case 'dmarc':
      return 'If the domain already has a DMARC record, keep it: any valid policy passes. p=none only monitors; move to quarantine or reject once reports look clean.';
    default:
      return null;
  }
}
